// S3 dies in the middle of a read: reads fail with EIO in bounded time
// (never hang), and the same mount serves again once S3 is back.
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { startMoto } from '../../src/demo/moto.js'
import { sha } from '../helpers/history.js'
import { mountTree, run } from '../helpers/mount.js'
import { s3env } from '../helpers/s3env.js'

const MiB = 1024 * 1024
/** Far above the S3 request timeouts with their retries: reaching it means a hang. */
const BOUND_MS = 60_000

/** Reads 1 MiB, says so, waits for a line on stdin, then reads the rest and reports. */
const READER = `
import sys, os
f = open(sys.argv[1], 'rb', buffering=0)
f.read(1024 * 1024)
print('started', flush=True)
sys.stdin.readline()
try:
    while f.read(1024 * 1024):
        pass
    print('completed', flush=True)
except OSError as e:
    print('errno', e.errno, flush=True)
`

async function seed (raw: S3Client, big: Buffer): Promise<void> {
  await raw.send(new CreateBucketCommand({ Bucket: 'faulty' }))
  await raw.send(new PutBucketVersioningCommand({ Bucket: 'faulty', VersioningConfiguration: { Status: 'Enabled' } }))
  await raw.send(new PutObjectCommand({ Bucket: 'faulty', Key: 'big.bin', Body: big }))
  await raw.send(new PutObjectCommand({ Bucket: 'faulty', Key: 'dir/small.txt', Body: 'small' }))
}

t.test('S3 killed mid-read: EIO within a bound, then the mount recovers', async t => {
  const env = await s3env(t)
  await seed(env.raw, randomBytes(48 * MiB))
  // A short live TTL, so that listings cached before the outage expire quickly.
  const m = await mountTree(t, env, { buckets: ['faulty'], extraEnv: { INFINSTOR_LIVE_TTL_MS: '200' } })
  const big = `${m.dir}/faulty/@latest/big.bin`

  const reader = spawn('python3', ['-c', READER, big], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  reader.stdout.setEncoding('utf8').on('data', (s: string) => { out += s })
  const exited = once(reader, 'exit')
  while (!out.includes('started')) {
    if (reader.exitCode !== null) break
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  t.match(out, /started/, 'the first MiB came through')

  env.moto.process.kill('SIGKILL')
  await once(env.moto.process, 'exit')
  reader.stdin.write('go\n')
  const timer = setTimeout(() => reader.kill('SIGKILL'), BOUND_MS)
  await exited
  clearTimeout(timer)
  t.not(reader.signalCode, 'SIGKILL', 'the read did not hang')
  t.match(out, /errno 5\b/, 'the rest of the read failed with EIO')

  await new Promise(resolve => setTimeout(resolve, 300))
  const ls = await run('ls', [`${m.dir}/faulty/@latest/dir`], { timeoutMs: BOUND_MS })
  t.notOk(ls.timedOut, 'listing a directory does not hang')
  t.match(ls.stderr, /Input\/output error/, 'and fails with EIO')
  const cat = await run('cat', [`${m.dir}/faulty/@latest/big.bin`], { timeoutMs: BOUND_MS })
  t.match(cat.stderr, /Input\/output error/, 'a new read fails with EIO too')
  t.match(m.log(), /cause: .*(ECONNREFUSED|ECONNRESET|socket hang up)/i, 'the log names the cause')
  t.equal(m.proc.exitCode, null, 'the mount process is still serving')

  // moto loses its data on restart: write it again (new version ids).
  const moto2 = await startMoto({ port: env.moto.port })
  t.teardown(async () => { await moto2.stop() })
  const big2 = randomBytes(3 * MiB)
  await seed(env.raw, big2)
  let recovered = false
  for (const deadline = Date.now() + BOUND_MS; Date.now() < deadline && !recovered;) {
    const r = await run('sha256sum', [big], { timeoutMs: BOUND_MS })
    recovered = r.code === 0 && r.stdout.startsWith(sha(big2))
    if (!recovered) await new Promise(resolve => setTimeout(resolve, 500))
  }
  t.ok(recovered, 'after S3 returns, the same path reads the new bytes exactly')
  const small = await run('cat', [`${m.dir}/faulty/@latest/dir/small.txt`], { timeoutMs: BOUND_MS })
  t.equal(small.stdout, 'small', 'and directories list again')
})

t.test('S3 stops answering (SIGSTOP): reads and listings get EIO at the deadline, then recover', async t => {
  const env = await s3env(t)
  const big = randomBytes(4 * MiB)
  await seed(env.raw, big)
  // Silence is only noticed on the request timeout: keep it short here.
  const m = await mountTree(t, env, { buckets: ['faulty'], extraEnv: { INFINSTOR_LIVE_TTL_MS: '200', INFINSTOR_S3_TIMEOUT_MS: '5000' } })
  const file = `${m.dir}/faulty/@latest/big.bin`
  t.equal((await run('stat', ['-c', '%s', file])).stdout.trim(), String(4 * MiB), 'attributes known before the stall')
  await new Promise(resolve => setTimeout(resolve, 300)) // past the live TTL of what that listed
  env.moto.process.kill('SIGSTOP')
  t.teardown(() => { env.moto.process.kill('SIGCONT') })
  const [cat, ls] = await Promise.all([
    run('cat', [file], { timeoutMs: BOUND_MS }),
    run('ls', [`${m.dir}/faulty/@latest/dir`], { timeoutMs: BOUND_MS })
  ])
  t.notOk(cat.timedOut, 'a read against a silent S3 does not hang')
  t.match(cat.stderr, /Input\/output error/, 'it fails with EIO')
  t.notOk(ls.timedOut, 'a listing against a silent S3 does not hang')
  t.match(ls.stderr, /Input\/output error/, `it fails with EIO (ls said: ${ls.stdout}${ls.stderr})`)
  env.moto.process.kill('SIGCONT')
  const again = await run('sha256sum', [file], { timeoutMs: BOUND_MS })
  t.equal(again.stdout.split(' ')[0], sha(big), 'once S3 answers again, the file reads exactly')
  t.equal(m.proc.exitCode, null, 'the mount process is still serving')
})

t.test('S3 stops answering during a dd: EIO once the read deadline (8 s) has passed, not twice that', async t => {
  const env = await s3env(t)
  await seed(env.raw, randomBytes(48 * MiB))
  // The S3 request timeout (15 s by default) is longer than the read deadline: the deadline is what fires.
  const m = await mountTree(t, env, { buckets: ['faulty'], args: ['--no-serve'] })
  const file = `${m.dir}/faulty/@latest/big.bin`
  // One dd reads the first MiB (so the bytes flow), then, once S3 is stopped, another reads on from there.
  const script = `dd if='${file}' of=/dev/null bs=1M count=1 status=none && echo started && read go && ` +
    `dd if='${file}' of=/dev/null bs=1M skip=1`
  const dd = spawn('sh', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  dd.stdout.setEncoding('utf8').on('data', (s: string) => { out += s })
  dd.stderr.setEncoding('utf8').on('data', (s: string) => { out += s })
  const exited = once(dd, 'exit')
  while (!out.includes('started') && dd.exitCode === null) await new Promise(resolve => setTimeout(resolve, 20))
  t.match(out, /started/, `the first MiB came through (${out.trim()})`)
  env.moto.process.kill('SIGSTOP')
  t.teardown(() => { env.moto.process.kill('SIGCONT') })
  const stopped = Date.now()
  dd.stdin.write('go\n')
  const timer = setTimeout(() => dd.kill('SIGKILL'), BOUND_MS)
  await exited
  clearTimeout(timer)
  const elapsed = (Date.now() - stopped) / 1000
  env.moto.process.kill('SIGCONT')
  t.comment(`dd failed ${elapsed.toFixed(1)} s after S3 stopped answering`)
  t.match(out, /Input\/output error/, `dd failed with EIO (${out.trim()})`)
  // Bytes already read ahead are served first, and the machine may be loaded: some slack, but far from 16 s.
  t.ok(elapsed >= 7.5, `not before the deadline (${elapsed.toFixed(1)} s)`)
  t.ok(elapsed < 8 + 4, `within the 8 s read deadline plus slack, not about 16 s (${elapsed.toFixed(1)} s)`)
  if (elapsed >= 12) t.comment(m.log())
})
