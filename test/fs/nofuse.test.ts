// On a machine without libfuse 2, every command but `mount` works, and
// `mount` says what to install. The test hides the real library from the
// CLI's process (a private mount namespace binds an empty file over it), so
// fuse-native's dlopen fails exactly as it does where libfuse2 is missing.
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { execFileSync, spawnSync } from 'node:child_process'
import { realpathSync } from 'node:fs'
import t from 'tap'
import { run, scratch } from '../helpers/mount.js'
import { BIN, s3env } from '../helpers/s3env.js'

/** The libfuse.so.2 that fuse-native's addon links against, from the loader's cache. */
function libfuse (): string | undefined {
  const line = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }).split('\n').find(l => l.includes('libfuse.so.2 '))
  const path = line?.split('=> ')[1]?.trim()
  return path === undefined ? undefined : realpathSync(path)
}

const lib = libfuse()
const canHide = lib !== undefined &&
  spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `mount --bind /dev/null ${lib}`]).status === 0

t.test('without libfuse 2: mount says what to install, the rest works', { skip: canHide ? false : 'needs unshare -m and libfuse.so.2 to hide' }, async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'nofuse' }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'nofuse', Key: 'a.txt', Body: 'hello' }))
  const { dir, state } = scratch(t)
  const cli = async (...args: string[]): ReturnType<typeof run> => await run('unshare', [
    '-m', '--propagation', 'private', 'sh', '-c', `mount --bind /dev/null ${lib as string} && exec "$@"`, 'sh', process.execPath, BIN, ...args
  ], { env: { ...env.env, XDG_STATE_HOME: state, XDG_CONFIG_HOME: state } })

  const proof = await run('unshare', ['-m', '--propagation', 'private', 'sh', '-c',
    `mount --bind /dev/null ${lib as string} && exec "$@"`, 'sh', process.execPath, '-e', "require('fuse-native')"], { cwd: process.cwd() })
  t.not(proof.code, 0, 'fuse-native really cannot load there')
  t.match(proof.stderr, /ERR_DLOPEN_FAILED|libfuse/)

  const help = await cli('--help')
  t.equal(help.code, 0, `--help works (${help.stderr})`)
  const ls = await cli('ls', 's3://nofuse')
  t.equal(ls.code, 0, `ls works (${ls.stderr})`)
  t.equal(ls.stdout, 'a.txt\n')
  const cat = await cli('cat', 's3://nofuse/a.txt')
  t.equal(cat.stdout, 'hello', 'cat works')
  const status = await cli('mount', '--status')
  t.equal(status.code, 0, 'mount --status works')

  for (const args of [['mount', dir, '--foreground'], ['mount', dir]]) {
    const m = await cli(...args)
    t.equal(m.code, 6, `${args.join(' ')}: exit code 6 (FUSE unavailable)`)
    t.match(m.stderr, /libfuse 2 could not be loaded/, 'says what is missing')
    t.match(m.stderr, /apt-get install libfuse2 fuse/, 'and what to install')
    t.notMatch(m.stderr, /\n\s+at /, 'no stack trace')
  }
})
