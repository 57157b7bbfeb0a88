// `infinstor mount` / `unmount` as a user runs them: a background daemon
// with a status, refusal of a second mount, clean signals, and a crashed
// mount cleared by the next one.
import {
  CreateBucketCommand, DeleteObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand
} from '@aws-sdk/client-s3'
import { once } from 'node:events'
import { readFileSync, writeFileSync } from 'node:fs'
import t, { type Test } from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { freePort } from '../../src/demo/moto.js'
import { isAlive, waitFor } from '../../src/fs/mounts.js'
import { mountedType, mountTree, run, scratch } from '../helpers/mount.js'
import { s3env, type S3Env } from '../helpers/s3env.js'

async function bucket (env: S3Env): Promise<void> {
  await env.raw.send(new CreateBucketCommand({ Bucket: 'cli' }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'cli', Key: 'hello.txt', Body: 'hello' }))
}

/** A CLI bound to one state directory, and teardown that stops whatever it started. */
function cliIn (t: Test, env: S3Env, dir: string, state: string): (args: string[]) => ReturnType<S3Env['cli']> {
  const cli = async (args: string[]): ReturnType<S3Env['cli']> => await env.cli(args, { XDG_STATE_HOME: state, XDG_CONFIG_HOME: state })
  t.teardown(async () => {
    if (mountedType(dir) !== undefined) await cli(['unmount', dir])
    if (mountedType(dir) !== undefined) await run('fusermount', ['-uz', dir])
  })
  return cli
}

t.test('daemon: mount in the background, report status, refuse a second mount, unmount', async t => {
  const env = await s3env(t)
  await bucket(env)
  const { dir, state } = scratch(t)
  const cli = cliIn(t, env, dir, state)
  const up = await cli(['mount', dir, '--bucket', 'cli'])
  t.equal(up.code, 0, `mount returns once mounted (${up.stderr})`)
  t.match(up.stdout, /mounted at .* \(pid \d+\); log: /)
  t.equal(mountedType(dir), 'fuse.infinstor', 'the kernel has it')
  const status = await cli(['mount', '--status', dir])
  t.equal(status.code, 0)
  const pid = Number(/mounted by pid (\d+)/.exec(status.stdout)?.[1])
  t.ok(isAlive(pid), 'status names the live daemon')
  t.match(status.stdout, /cli at http:\/\/127\.0\.0\.1:\d+; log: \S+\.log/)
  t.match((await cli(['mount', '--status'])).stdout, new RegExp(`${dir}: mounted by pid ${pid}`), 'listed among all mounts')
  t.equal((await run('cat', [`${dir}/cli/@latest/hello.txt`])).stdout, 'hello', 'it serves')

  const again = await cli(['mount', dir])
  t.equal(again.code, 8, 'a second mount on the same point is a conflict')
  t.match(again.stderr, new RegExp(`already mounted by infinstor \\(pid ${pid}\\)`))

  const down = await cli(['unmount', dir])
  t.equal(down.code, 0, `unmount (${down.stderr})`)
  t.equal(mountedType(dir), undefined, 'the kernel no longer has it')
  t.ok(await waitFor(() => !isAlive(pid), 10_000), 'the daemon exited')
  const log = /log: (\S+)/.exec(status.stdout)?.[1] as string
  t.match(readFileSync(log, 'utf8'), /unmounting .* \(SIGTERM\)/, 'the daemon logged why it stopped')
  t.equal((await cli(['mount', '--status', dir])).code, 3, 'status: not mounted')
  const nothing = await cli(['unmount', dir])
  t.equal(nothing.code, 3)
  t.match(nothing.stderr, /nothing is mounted at/)
})

t.test('a crashed mount is stale until the next mount clears it', async t => {
  const env = await s3env(t)
  await bucket(env)
  const m = await mountTree(t, env)
  const state = m.env.XDG_STATE_HOME as string
  const cli = cliIn(t, env, m.dir, state)
  m.proc.kill('SIGKILL')
  await once(m.proc, 'exit').catch(() => {})
  t.equal(mountedType(m.dir), 'fuse.infinstor', 'the dead mount is still in the kernel table')
  t.match((await run('ls', [m.dir])).stderr, /Transport endpoint is not connected/, 'and is stale')
  const status = await cli(['mount', '--status', m.dir])
  t.equal(status.code, 3)
  t.match(status.stderr, /not served \(pid \d+ is gone\); the mount point is stale/)
  const up = await cli(['mount', m.dir])
  t.equal(up.code, 0, `mounting again works (${up.stderr})`)
  t.equal((await run('cat', [`${m.dir}/cli/@latest/hello.txt`])).stdout, 'hello', 'and serves')
  t.match(up.stderr, /clearing a stale mount at/, 'and says it cleared the stale mount')
  t.equal((await cli(['unmount', m.dir])).code, 0)
  t.equal(mountedType(m.dir), undefined)
})

t.test('a background mount runs its daemon with huge pages unless told not to; a GLIBC_TUNABLES of the user\'s own that names them wins', async t => {
  const env = await s3env(t)
  await bucket(env)
  await env.raw.send(new PutObjectCommand({ Bucket: 'cli', Key: 'big.bin', Body: Buffer.alloc(16 << 20, 7) }))
  const tunablesOf = (pid: number): string | undefined =>
    readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find(v => v.startsWith('GLIBC_TUNABLES='))?.slice('GLIBC_TUNABLES='.length)
  const hugeKiB = (pid: number): number => Number(/AnonHugePages:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1])
  // Where the kernel gives no huge pages on request, only the environment can be checked.
  const thp = /\[(always|madvise)\]/.test(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))
  // glibc rewrites GLIBC_TUNABLES as it parses it, so a daemon's environment shows a single tunable only.
  const cases: Array<{ given?: string, args?: string[], huge: boolean, shown?: string | null }> = [
    { huge: true, shown: 'glibc.malloc.hugetlb=1' },
    { given: 'glibc.malloc.arena_max=8', huge: true },
    { given: 'glibc.malloc.hugetlb=0', huge: false, shown: 'glibc.malloc.hugetlb=0' },
    { args: ['--huge-pages=false'], huge: false, shown: null }
  ]
  for (const { given, args = [], huge, shown } of cases) {
    const what = `given ${given ?? 'no GLIBC_TUNABLES'}${args.length > 0 ? ` and ${args.join(' ')}` : ''}`
    const { dir, state } = scratch(t)
    const user = { XDG_STATE_HOME: state, XDG_CONFIG_HOME: state, ...(given === undefined ? {} : { GLIBC_TUNABLES: given }) }
    t.teardown(async () => { if (mountedType(dir) !== undefined) await env.cli(['unmount', dir], user) })
    const up = await env.cli(['mount', dir, '--bucket', 'cli', '--no-serve', ...args], user)
    t.equal(up.code, 0, up.stderr)
    const pid = Number(/\(pid (\d+)\)/.exec(up.stdout)?.[1])
    if (shown !== undefined) t.equal(tunablesOf(pid) ?? null, shown, `${what}, the daemon runs with GLIBC_TUNABLES=${String(shown)}`)
    t.equal((await run('wc', ['-c', `${dir}/cli/@latest/big.bin`])).stdout.split(' ')[0], String(16 << 20), 'it reads')
    if (thp) t.equal(hugeKiB(pid) > 0, huge, `${what}, block memory ${huge ? 'is' : 'is not'} in huge pages (${hugeKiB(pid)} KiB)`)
    t.equal((await env.cli(['unmount', dir], user)).code, 0)
  }
})

t.test('a foreground mount started without huge pages says so once, unless told not to want them', async t => {
  const env = await s3env(t)
  await bucket(env)
  const note = /note: block memory in 4 KiB pages/
  const plain = await mountTree(t, env, { extraEnv: { GLIBC_TUNABLES: '' } })
  t.match(plain.log(), note, 'without GLIBC_TUNABLES')
  t.equal(plain.log().split(note).length, 2, 'once')
  await plain.unmount()
  const asked = await mountTree(t, env, { extraEnv: { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' } })
  t.notMatch(asked.log(), note, 'not when its environment asks for them')
  await asked.unmount()
  const off = await mountTree(t, env, { extraEnv: { GLIBC_TUNABLES: '' }, args: ['--huge-pages=false'] })
  t.notMatch(off.log(), note, 'not with --huge-pages=false')
})

t.test('SIGINT unmounts a foreground mount and exits cleanly', async t => {
  const env = await s3env(t)
  await bucket(env)
  const m = await mountTree(t, env)
  m.proc.kill('SIGINT')
  const [code] = await once(m.proc, 'exit')
  t.equal(code, 0, 'exit code 0')
  t.equal(mountedType(m.dir), undefined, 'unmounted')
  t.match(m.log(), /unmounting .* \(SIGINT\)/)
  const status = await env.cli(['mount', '--status', m.dir], { XDG_STATE_HOME: m.env.XDG_STATE_HOME })
  t.equal(status.code, 3, 'its status file is gone')
})

t.test('bad mount points and usage', async t => {
  const env = await s3env(t)
  const { dir, state } = scratch(t)
  const cli = cliIn(t, env, dir, state)
  const missing = await cli(['mount', `${dir}/no/such/dir`])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /does not exist; create it first/)
  writeFileSync(`${dir}/file`, '')
  const file = await cli(['mount', `${dir}/file`])
  t.equal(file.code, 2)
  t.match(file.stderr, /is not a directory/)
  t.equal((await cli(['mount'])).code, 2, 'a mount point is required')
  const notOurs = await cli(['unmount', '/proc'])
  t.equal(notOurs.code, 2, 'unmount refuses a mount that is not infinstor')
  t.match(notOurs.stderr, /is a proc mount, not an infinstor one/)
})

t.test('any number of SIGINT and SIGTERM, in any order, end in a clean unmount', async t => {
  const env = await s3env(t)
  await bucket(env)
  for (const signals of [['SIGINT', 'SIGTERM', 'SIGINT'], ['SIGTERM', 'SIGTERM', 'SIGINT', 'SIGTERM']] as const) {
    const m = await mountTree(t, env, { args: ['--no-serve'] })
    t.equal((await run('cat', [`${m.dir}/cli/@latest/hello.txt`])).stdout, 'hello', 'it serves')
    for (const s of signals) m.proc.kill(s)
    const [code, signal] = await once(m.proc, 'exit')
    t.same([code, signal], [0, null], `${signals.join(', ')}: exit code 0, not killed by a later signal`)
    t.equal(mountedType(m.dir), undefined, 'unmounted')
    t.match(m.log(), /while unmounting .*: still unmounting/, 'the later signals were noted, not obeyed')
    const status = await env.cli(['mount', '--status', m.dir], { XDG_STATE_HOME: m.env.XDG_STATE_HOME })
    t.equal(status.code, 3, 'its status file is gone')
  }
})

t.test('a hangup (the terminal of a --foreground mount closing) unmounts too, then ends by SIGHUP', async t => {
  const env = await s3env(t)
  await bucket(env)
  const m = await mountTree(t, env, { args: ['--no-serve'] })
  t.equal((await run('cat', [`${m.dir}/cli/@latest/hello.txt`])).stdout, 'hello', 'it serves')
  m.proc.kill('SIGHUP')
  m.proc.kill('SIGTERM')
  const [code, signal] = await once(m.proc, 'exit')
  t.same([code, signal], [null, 'SIGHUP'], 'ended by the hangup, as a terminal program does, once unmounted')
  t.equal(mountedType(m.dir), undefined, 'unmounted')
  // The two signals may be handled in either order: the hangup unmounts, or comes while SIGTERM's unmount runs.
  t.match(m.log(), /unmounting .* \(SIGHUP\)|SIGHUP while unmounting/, 'the log says why')
  const status = await env.cli(['mount', '--status', m.dir], { XDG_STATE_HOME: m.env.XDG_STATE_HOME })
  t.equal(status.code, 3, 'its status file is gone')
})

t.test('a mount loads its S3 client before it says it serves, so its first read does not wait for that', async t => {
  const env = await s3env(t)
  await bucket(env)
  const dir = t.testdir({
    // Counts, when asked (SIGUSR2), the AWS SDK's modules loaded so far.
    'probe.cjs': "process.on('SIGUSR2', () => { const n = Object.keys(require.cache).filter(p => p.includes('/@aws-sdk/client-s3/')).length; require('fs').writeSync(2, `aws-sdk client modules: ${n}\\n`) })\n"
  })
  const m = await mountTree(t, env, { args: ['--no-serve'], extraEnv: { NODE_OPTIONS: `--require ${dir}/probe.cjs` } })
  m.proc.kill('SIGUSR2')
  const count = (): number | undefined => { const n = /aws-sdk client modules: (\d+)\n/.exec(m.log())?.[1]; return n === undefined ? undefined : Number(n) }
  t.ok(await waitFor(() => count() !== undefined, 20_000), 'the probe answered')
  t.ok((count() ?? 0) > 0, `the S3 client was loaded before any request (${count()} modules)`)
  t.equal((await run('cat', [`${m.dir}/cli/@latest/hello.txt`])).stdout, 'hello', 'and it reads')
})

t.test('mount --status says whether the HTTP API is up, and on which port', async t => {
  const env = await s3env(t)
  await bucket(env)
  const port = String(await freePort())
  const first = scratch(t)
  const second = scratch(t)
  const third = scratch(t)
  const cli1 = cliIn(t, env, first.dir, first.state)
  const cli2 = cliIn(t, env, second.dir, first.state)
  const cli3 = cliIn(t, env, third.dir, first.state)
  t.equal((await cli1(['mount', first.dir, '--port', port])).code, 0)
  const up = await cli1(['mount', '--status', first.dir])
  t.match(up.stdout, `HTTP API (dashboard, Jupyter contents): up at http://127.0.0.1:${port} (port ${port})`)

  const taken = await cli2(['mount', second.dir, '--port', port])
  t.equal(taken.code, 0, 'a second mount on a taken port still mounts')
  t.match(taken.stdout, /HTTP API not served: it could not start: .*EADDRINUSE/, 'and says its HTTP API did not start')
  const status2 = await cli2(['mount', '--status', second.dir])
  t.match(status2.stdout, /HTTP API \(dashboard, Jupyter contents\): not served: it could not start: .*EADDRINUSE/)

  t.equal((await cli3(['mount', third.dir, '--no-serve'])).code, 0)
  const status3 = await cli3(['mount', '--status', third.dir])
  t.match(status3.stdout, 'not served: turned off (--no-serve)')

  const all = await cli1(['mount', '--status'])
  t.equal(all.stdout.split('HTTP API').length - 1, 3, 'every mount listed with its HTTP API')
  for (const [cli, dir] of [[cli1, first.dir], [cli2, second.dir], [cli3, third.dir]] as const) t.equal((await cli(['unmount', dir])).code, 0)
})

t.test('a key deleted at T: ENOENT, and the log says when it was deleted', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'del' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'del', VersioningConfiguration: { Status: 'Enabled' } }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'del', Key: 'd/gone.txt', Body: 'soon gone' }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'del', Key: 'd/kept.txt', Body: 'kept' }))
  await env.raw.send(new DeleteObjectCommand({ Bucket: 'del', Key: 'd/gone.txt' }))
  const versions = await env.raw.send(new ListObjectVersionsCommand({ Bucket: 'del', Prefix: 'd/gone.txt' }))
  const deletedAt = formatInstant((versions.DeleteMarkers?.[0]?.LastModified as Date).getTime())
  const m = await mountTree(t, env, { args: ['--no-serve'] })
  const r = await run('cat', [`${m.dir}/del/@latest/d/gone.txt`])
  t.match(r.stderr, /No such file or directory/)
  const missing = await run('cat', [`${m.dir}/del/@latest/d/never.txt`])
  t.match(missing.stderr, /No such file or directory/)
  t.match(m.log(), `/del/@latest/d/gone.txt: no such file: s3://del/d/gone.txt was deleted at ${deletedAt}`, 'the log says why, and when')
  t.notMatch(m.log(), /never\.txt/, 'a name that never existed is not logged (shells probe names all the time)')
})
