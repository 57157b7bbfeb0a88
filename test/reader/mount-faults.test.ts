// One part of a sequential read fails, stalls, or is cut mid-body while the
// parts around it (fetched in parallel, or by the reader's paced GET)
// succeed: through a real mount, read by a child process. The read that
// needs the part gets EIO in bounded time, every byte before it is exact,
// and the next read of the file is exact.
// A proxy between the mount and moto injects the faults.
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import { sha } from '../helpers/history.js'
import { mountTree, run } from '../helpers/mount.js'
import { s3env } from '../helpers/s3env.js'

const MiB = 1024 * 1024
const SIZE = 40 * MiB
/** The faulty part is the one holding this byte. */
const AT = 24 * MiB + 12345
/**
 * The README's bound: a read gives up after 8 s without its bytes, and a
 * GET that has sent nothing for 10 s is given up. The kernel retries a
 * failed page once with a read of its own, which then fails with the GET:
 * a program's read returns within 10 s.
 */
const BOUND_MS = 10_000

type Fault = 'fail' | 'stall' | 'cut'

/**
 * Forwards to moto; GETs whose range holds byte AT meet the armed fault,
 * every time, until it is cleared: a 500, or the body stops just before
 * byte AT (silence, or a dropped connection), so the block holding AT never
 * arrives whatever the parts' boundaries.
 */
class FaultProxy {
  fault: Fault | undefined
  hits = 0
  /** Every GET's range, first and last byte. */
  readonly ranges: Array<[number, number]> = []
  endpoint = ''
  private readonly server = http.createServer((req, res) => { this.forward(req, res) })
  private readonly sockets = new Set<Socket>()

  constructor (private readonly target: URL) {}

  async start (): Promise<void> {
    this.server.on('connection', s => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)) })
    this.server.listen(0, '127.0.0.1')
    await once(this.server, 'listening')
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  stop (): void {
    for (const s of this.sockets) s.destroy()
    this.server.close()
  }

  private forward (req: http.IncomingMessage, res: http.ServerResponse): void {
    const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '')
    if (m !== null) this.ranges.push([Number(m[1]), Number(m[2])])
    const fault = m !== null && Number(m[1]) <= AT && AT <= Number(m[2]) ? this.fault : undefined
    const stopAt = AT - Number(m?.[1] ?? 0)
    if (fault !== undefined) this.hits++
    if (fault === 'fail') {
      res.writeHead(500, { 'content-type': 'application/xml' })
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected</Message></Error>')
      return
    }
    const up = http.request({ host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers }, answer => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      if (fault === undefined) { answer.pipe(res); return }
      // The body up to byte AT, then silence (stall) or a dropped connection (cut).
      let sent = 0
      answer.on('data', (chunk: Buffer) => {
        const room = Math.max(0, stopAt - sent)
        if (room > 0) res.write(chunk.subarray(0, room))
        sent += chunk.length
        if (sent >= stopAt) {
          answer.destroy()
          if (fault === 'cut') req.socket.destroy()
        }
      })
    })
    up.on('error', () => { res.destroy() })
    req.pipe(up)
  }
}

/** Reads a file in 1 MiB reads; reports where and how it stopped, the time of the last read, and the hash of what came. */
const READER = `
import hashlib, json, sys, time
f = open(sys.argv[1], 'rb', buffering=0)
h = hashlib.sha256()
off = 0
while True:
    t0 = time.monotonic()
    try:
        b = f.read(1 << 20)
    except OSError as e:
        print(json.dumps({'errno': e.errno, 'offset': off, 'took': time.monotonic() - t0, 'sha': h.hexdigest()}))
        break
    if not b:
        print(json.dumps({'errno': 0, 'offset': off, 'took': 0, 'sha': h.hexdigest()}))
        break
    h.update(b)
    off += len(b)
`

interface Outcome { errno: number, offset: number, took: number, sha: string }

for (const fault of ['fail', 'stall', 'cut'] as const) {
  t.test(`a part that ${fault === 'fail' ? 'fails' : fault === 'stall' ? 'stalls mid-body' : 'is cut mid-body'}: EIO for its read, exact bytes before it, then recovery`, async t => {
    const env = await s3env(t)
    const data = randomBytes(SIZE)
    await env.raw.send(new CreateBucketCommand({ Bucket: 'parts' }))
    await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'parts', VersioningConfiguration: { Status: 'Enabled' } }))
    await env.raw.send(new PutObjectCommand({ Bucket: 'parts', Key: 'big.bin', Body: data }))
    const proxy = new FaultProxy(new URL(env.endpoint))
    await proxy.start()
    t.teardown(() => { proxy.stop() })
    const m = await mountTree(t, env, { buckets: ['parts'], extraEnv: { AWS_ENDPOINT_URL: proxy.endpoint } })
    const file = `${m.dir}/parts/@latest/big.bin`

    proxy.fault = fault
    const first = await run('python3', ['-c', READER, file], { timeoutMs: 120_000 })
    const got = JSON.parse(first.stdout) as Outcome
    t.equal(got.errno, 5, `the read reached the faulty part and failed with EIO (${first.stdout.trim()}${first.stderr})`)
    t.ok(proxy.hits >= 1, `the faulty part was asked for (${proxy.hits} times)`)
    t.ok(got.offset <= AT && AT < got.offset + 9 * MiB, `it failed at the faulty part (offset ${got.offset})`)
    t.equal(got.sha, sha(data.subarray(0, got.offset)), 'every byte before it was exact')
    // (Slack for a loaded machine.)
    t.ok(got.took * 1000 <= BOUND_MS + 3000, `the failing read returned within the bound, in ${got.took.toFixed(1)} s`)

    proxy.fault = undefined
    const again = await run('python3', ['-c', READER, file], { timeoutMs: 120_000 })
    const whole = JSON.parse(again.stdout) as Outcome
    t.same([whole.errno, whole.offset], [0, SIZE], 'the next read gets the whole file')
    t.equal(whole.sha, sha(data), 'exact')
    // A sequential reader is fed by one paced GET to the end of the file, the fault met on it or on a part.
    t.ok(proxy.ranges.some(([from, to]) => to === SIZE - 1 && to + 1 - from > 8 * MiB), 'a paced GET ran to the end of the file')
    t.equal(m.proc.exitCode, null, 'the mount is still serving')
    if (t.passing() === false) t.comment(m.log())
  })
}
