// The CLI's small messages, as a newcomer reads them: no repeated times, no
// "1 versions", a nearest-command hint instead of a usage dump, balanced
// quotes, defaults in --help, no SDK warnings, and no token file that is not used.
import { CreateBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { spawn } from 'node:child_process'
import t from 'tap'
import { nearest } from '../../src/cli/main.js'
import { run } from '../helpers/mount.js'
import { BIN, s3env } from '../helpers/s3env.js'
import { tempDir } from '../helpers/temp.js'

function occurrences (text: string, part: string): number {
  return text.split(part).length - 1
}

t.test('messages', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'msg' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'msg', VersioningConfiguration: { Status: 'Enabled' } }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'msg', Key: 'gone.txt', Body: 'x' }))
  await env.raw.send(new DeleteObjectCommand({ Bucket: 'msg', Key: 'gone.txt' }))

  t.test('a future time is named once', async t => {
    const exact = await env.cli(['ls', 's3://msg@2099-01-01T00:00:00Z'])
    t.equal(exact.code, 2)
    t.equal(occurrences(exact.stderr, '2099-01-01T00:00:00Z'), 1, exact.stderr)
    t.match(exact.stderr, "time '2099-01-01T00:00:00Z' is in the future; the server's time is ")
    const date = await env.cli(['ls', 's3://msg@2099-01-01'])
    t.match(date.stderr, "time '2099-01-01' (2099-01-01T00:00:00Z) is in the future", 'the canonical form when it adds something')
    const slice = await env.cli(['ls', 's3://msg@2022-01-01..2099-01-01T00:00:00Z'])
    t.equal(occurrences(slice.stderr, '2099-01-01T00:00:00Z'), 2, 'a slice: its text, then its end')
    t.match(slice.stderr, "the slice '2022-01-01..2099-01-01T00:00:00Z' ends at 2099-01-01T00:00:00Z, which is in the future")
  })

  t.test('counts agree with their nouns', async t => {
    const status = await env.cli(['status', 'msg'])
    t.equal(status.code, 0, status.stderr)
    t.match(status.stdout, /versions: +1 version, 1 delete marker\n/)
  })

  t.test('a typo suggests the nearest command, without the whole usage', async t => {
    const r = await env.cli(['lss', 's3://msg'])
    t.equal(r.code, 2)
    t.equal(r.stderr, "infinstor: unknown command 'lss'. Did you mean 'ls'? ('infinstor --help' lists the commands)\n")
    t.equal(r.stdout, '')
    const far = await env.cli(['frobnicate'])
    t.equal(far.stderr, "infinstor: unknown command 'frobnicate'. ('infinstor --help' lists the commands)\n", 'no guess when nothing is near')
    t.equal(nearest('stauts', ['status', 'stat']), 'status')
    t.equal(nearest('unmuont', ['unmount', 'mount']), 'unmount')
    t.equal(nearest('toString', ['ls']), undefined)
    const proto = await env.cli(['toString'])
    t.equal(proto.code, 2, 'a name from Object.prototype is no command either')
  })

  t.test('an unknown option: one line, balanced quotes', async t => {
    const r = await env.cli(['ls', '--frob', 's3://msg'])
    t.equal(r.code, 2)
    const lines = r.stderr.split('\n').filter(l => l !== '')
    t.equal(lines.length, 1, r.stderr)
    t.equal(occurrences(r.stderr, "'") % 2, 0, `single quotes balanced: ${r.stderr}`)
    t.equal(occurrences(r.stderr, '"') % 2, 0, 'double quotes balanced')
    t.match(r.stderr, "unknown option '--frob' for 'ls'")
  })

  t.test('--help shows defaults', async t => {
    const all = await env.cli(['--help'])
    t.match(all.stdout, /--port +port of the HTTP server.*\(default: 8941\)/)
    t.match(all.stdout, /--settle-margin-ms .*\(default: 5000\)/)
    const mount = await env.cli(['mount', '--help'])
    t.match(mount.stdout, /--cache-size .*\(default: 512\)/, 'a command lists its own settings with defaults')
    t.match(mount.stdout, /--foreground/, 'and its options')
  })

  t.test('no "Stream of unknown length" warning from the SDK', async t => {
    // S3Access.put is how every InfinStor process writes (labels, the demo); an empty body is the case the SDK cannot measure.
    const script = `
      const { S3Access } = await import(${JSON.stringify(new URL('../../dist/s3/access.js', import.meta.url).href)})
      const s3 = new S3Access({ endpoint: process.env.AWS_ENDPOINT_URL, attempts: 1, timeoutMs: 5000, concurrency: 2 })
      await s3.put('msg', 'empty.txt', '')
      await s3.put('msg', 'bytes.bin', new Uint8Array(0))
      await s3.put('msg', 'text.txt', 'héllo')
      s3.destroy()`
    const r = await run(process.execPath, ['--input-type=module', '-e', script], { env: env.env })
    t.equal(r.code, 0, r.stderr)
    t.equal(r.stderr, '', 'nothing on stderr')
    const cat = await env.cli(['cat', 's3://msg/text.txt'])
    t.equal(cat.stdout, 'héllo', 'the length given is the bytes, not the characters')
  })

  t.test('serve --token: no token file is named, since none is used', async t => {
    const home = tempDir(t, 'serve')
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--token', 'T0KEN'], {
      env: { ...env.env, XDG_CONFIG_HOME: home }, stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s })
    for (const deadline = Date.now() + 60_000; !out.includes('(send '); await new Promise(resolve => setTimeout(resolve, 50))) {
      if (Date.now() > deadline || child.exitCode !== null) break
    }
    child.kill('SIGTERM')
    await new Promise(resolve => child.on('exit', resolve))
    t.match(out, /infinstor serving on http:\/\/127\.0\.0\.1:\d+/)
    t.notMatch(out, /token file/, out)
    t.match(out, /token: the one given/)
  })
})
