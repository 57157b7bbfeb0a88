// The lean GET path (S3Access.getInto over RawGetHandler) against a local
// HTTP server that plays S3 and misbehaves on request: keep-alive reuse,
// body framings, the SDK's retries and error mapping, timeouts, aborts,
// wrong sizes, and TLS. The oracle is the object's bytes.
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SignatureV4 } from '@smithy/signature-v4'
import t from 'tap'
import { S3Access } from '../../src/s3/access.js'
import type { ByteSink } from '../../src/s3/http1.js'

const KiB = 1024
const DATA = randomBytes(3 * 1024 * KiB + 17)

type Mode = 'ok' | 'chunked' | 'close' | 'slowdown' | 'reset' | 'stall' | 'cut' | 'wrong-length' | 'extra' | 'missing' | 'denied'

/** A fake S3 serving DATA for every key; each request takes the next mode queued (default 'ok'). */
class FakeServer {
  readonly modes: Mode[] = []
  requests = 0
  badSignatures = 0
  connections = 0
  readonly sockets = new Set<Socket>()
  server!: http.Server | https.Server
  endpoint = ''

  async start (tls?: { key: Buffer, cert: Buffer }): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => { this.answer(req, res) }
    this.server = tls === undefined ? http.createServer({ keepAliveTimeout: 60_000 }, handler) : https.createServer({ ...tls, keepAliveTimeout: 60_000 }, handler)
    this.server.on(tls === undefined ? 'connection' : 'secureConnection', (s: Socket) => {
      this.connections++
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    this.server.listen(0, '127.0.0.1')
    await once(this.server, 'listening')
    this.endpoint = `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async stop (): Promise<void> {
    for (const s of this.sockets) s.destroy()
    this.server.close()
  }

  private answer (req: http.IncomingMessage, res: http.ServerResponse): void {
    void signedRight(req).then(ok => {
      if (ok) { this.serve(req, res); return }
      this.badSignatures++
      res.writeHead(403, { 'content-type': 'application/xml' })
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error>')
    })
  }

  private serve (req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests++
    if (req.url?.endsWith('?versioning') === true || req.url?.includes('?versioning=') === true) {
      const xml = '<?xml version="1.0" encoding="UTF-8"?><VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>'
      res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) })
      res.end(xml)
      return
    }
    const mode = this.modes.shift() ?? 'ok'
    const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '')
    const start = Number(m?.[1] ?? 0)
    const end = Math.min(DATA.length, Number(m?.[2] ?? DATA.length - 1) + 1)
    const body = DATA.subarray(start, end)
    const error = (status: number, code: string): void => {
      const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code} here</Message></Error>`
      res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) })
      res.end(xml)
    }
    const partial = { 'content-range': `bytes ${start}-${end - 1}/${DATA.length}` }
    switch (mode) {
      case 'reset': req.socket.destroy(); return
      case 'slowdown': error(503, 'SlowDown'); return
      case 'missing': error(404, 'NoSuchKey'); return
      case 'denied': error(403, 'AccessDenied'); return
      case 'chunked':
        res.writeHead(206, partial)
        for (let at = 0; at < body.length; at += 100 * KiB) res.write(body.subarray(at, at + 100 * KiB))
        res.end()
        return
      case 'close':
        res.writeHead(206, { ...partial, connection: 'close' })
        res.end(body)
        return
      case 'wrong-length':
        res.writeHead(206, { ...partial, 'content-length': body.length - 1 })
        res.end(body.subarray(1))
        return
      case 'extra':
        // One byte more than the Content-Length says, straight on the socket.
        res.writeHead(206, { ...partial, 'content-length': body.length })
        res.end(Buffer.concat([body, Buffer.from('!')]))
        return
      case 'stall':
      case 'cut':
        res.writeHead(206, { ...partial, 'content-length': body.length })
        res.write(body.subarray(0, Math.floor(body.length / 2)))
        if (mode === 'cut') setTimeout(() => req.socket.destroy(), 20)
        return
      default:
        res.writeHead(206, { ...partial, 'content-length': body.length })
        res.end(body)
    }
  }
}

class Sha256 {
  private readonly h
  constructor (secret?: Uint8Array | string | ArrayBuffer | ArrayBufferView) {
    const key = secret instanceof ArrayBuffer ? new Uint8Array(secret) : ArrayBuffer.isView(secret) ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength) : secret
    this.h = key === undefined ? createHash('sha256') : createHmac('sha256', key)
  }
  update (d: Uint8Array | string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(d instanceof ArrayBuffer ? new Uint8Array(d) : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : d)
  }
  async digest (): Promise<Uint8Array> { return new Uint8Array(this.h.digest()) }
}

/** Checks a request's SigV4 signature the way a server does: from what came over the wire. */
async function signedRight (req: http.IncomingMessage): Promise<boolean> {
  const auth = req.headers.authorization ?? ''
  const m = /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+)/.exec(auth)
  const date = req.headers['x-amz-date']
  if (m === null || typeof date !== 'string') return false
  const [path, search = ''] = (req.url ?? '').split('?')
  const query: Record<string, string> = {}
  for (const [k, v] of new URLSearchParams(search)) query[k] = v
  const headers: Record<string, string> = {}
  for (const name of m[2].split(';')) headers[name] = String(req.headers[name] ?? '')
  const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: m[1], service: 's3', sha256: Sha256, uriEscapePath: false })
  const signingDate = new Date(date.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'))
  const signed = await signer.sign({ method: req.method ?? 'GET', protocol: 'http:', hostname: '127.0.0.1', path, query, headers }, { signingDate })
  return signed.headers.authorization === auth
}

/** Collects the body into one buffer. */
function collect (length: number): ByteSink & { bytes: () => Buffer } {
  const out = Buffer.alloc(length)
  let at = 0
  return {
    space: () => out.subarray(at, Math.min(length, at + 64 * KiB)),
    filled: n => { at += n },
    bytes: () => out.subarray(0, at)
  }
}

async function setup (tls?: { key: Buffer, cert: Buffer }, timeoutMs = 5000): Promise<{ server: FakeServer, s3: S3Access }> {
  const server = new FakeServer()
  await server.start(tls)
  process.env.AWS_ACCESS_KEY_ID = 'test'
  process.env.AWS_SECRET_ACCESS_KEY = 'test'
  const s3 = new S3Access({ endpoint: server.endpoint, region: 'us-east-1', attempts: 3, timeoutMs, concurrency: 8 })
  t.teardown(async () => { s3.destroy(); await server.stop() })
  return { server, s3 }
}

async function get (s3: S3Access, start: number, end: number, signal?: AbortSignal): Promise<Buffer> {
  const sink = collect(end - start)
  await s3.getInto('bkt', 'some/key.bin', 'v1', start, end, sink, signal)
  return sink.bytes()
}

t.test('bytes arrive exact, over one kept-alive connection', async t => {
  const { server, s3 } = await setup()
  for (let i = 0; i < 20; i++) {
    const start = i * 150 * KiB + i
    const end = Math.min(DATA.length, start + 1 + i * 7 * KiB)
    t.ok((await get(s3, start, end)).equals(DATA.subarray(start, end)), `[${start}, ${end}) exact`)
  }
  t.ok((await get(s3, 0, DATA.length)).equals(DATA), 'the whole object exact')
  t.equal(server.connections, 1, 'one connection for 21 GETs')
})

t.test('a chunked body and a body ended by closing the connection read exact', async t => {
  const { server, s3 } = await setup()
  server.modes.push('chunked', 'close', 'ok')
  t.ok((await get(s3, 5, 1024 * KiB)).equals(DATA.subarray(5, 1024 * KiB)), 'chunked')
  t.ok((await get(s3, 100, 900 * KiB)).equals(DATA.subarray(100, 900 * KiB)), 'until close')
  t.ok((await get(s3, 0, 10)).equals(DATA.subarray(0, 10)), 'then a fresh connection')
})

t.test('the SDK retries a 503 and a connection reset, as for any request', async t => {
  const { server, s3 } = await setup()
  server.modes.push('slowdown', 'reset')
  t.ok((await get(s3, 0, 64 * KiB)).equals(DATA.subarray(0, 64 * KiB)))
  t.equal(server.requests, 3, 'the first GET of a bucket goes through the SDK: two failed attempts, then the answer')
  // Later GETs try once without the SDK's pipeline; a failure goes back through the SDK.
  server.modes.push('slowdown', 'slowdown', 'slowdown', 'slowdown')
  await t.rejects(get(s3, 0, 10), { name: 'InfinError', code: 'Unavailable', message: /failed after retries \(SlowDown/ }, 'the lean try, three attempts (--s3-attempts), then Unavailable')
  t.equal(server.requests, 7)
  server.modes.push('reset', 'slowdown')
  t.ok((await get(s3, 0, 10)).equals(DATA.subarray(0, 10)), 'a lean try that fails is made good by the SDK\'s')
})

t.test('S3 errors map as documented', async t => {
  const { server, s3 } = await setup()
  t.ok((await get(s3, 0, 10)).equals(DATA.subarray(0, 10)))
  // (Each error twice: the lean try, then the SDK's.)
  server.modes.push('missing', 'missing')
  await t.rejects(get(s3, 0, 10), { code: 'NotFound' })
  server.modes.push('denied', 'denied')
  await t.rejects(get(s3, 0, 10), { code: 'AccessDenied', message: /access denied/ })
  t.ok((await get(s3, 0, 10)).equals(DATA.subarray(0, 10)), 'and the connection still serves')
})

t.test('GETs after the first of a bucket skip the SDK\'s pipeline, keys of any shape included', async t => {
  const { server, s3 } = await setup()
  const paths: string[] = []
  server.server.on('request', (req: http.IncomingMessage) => { paths.push(req.url ?? '') })
  for (const key of ['plain.bin', 'dir/a b+c(1)!*\'.bin', 'ünï/çødé', 'x?y#z']) {
    const sink = collect(100)
    await s3.getInto('bkt', key, 'v 1', 5, 105, sink)
    t.ok(sink.bytes().equals(DATA.subarray(5, 105)), `${key}: exact`)
  }
  t.equal(paths.filter(p => p.includes('x-id=GetObject')).length, 1, 'only the first went through the SDK')
  t.equal(server.badSignatures, 0, 'and every signature checked out')
  t.match(paths[3], /^\/bkt\/x%3Fy%23z\?versionId=v%201$/, 'keys and version ids escaped as the SDK does')
})

t.test('once the bucket\'s versioning was asked, even its first GET skips the SDK\'s pipeline', async t => {
  const { server, s3 } = await setup()
  const paths: string[] = []
  server.server.on('request', (req: http.IncomingMessage) => { paths.push(req.url ?? '') })
  t.equal(await s3.getVersioning('bkt'), 'Enabled')
  t.ok((await get(s3, 3, 70_000)).equals(DATA.subarray(3, 70_000)), 'exact')
  t.equal(paths.length, 2, paths.join(', '))
  t.notMatch(paths[1], /x-id=GetObject/, 'the GET went the lean way')
  t.match(paths[1], /^\/bkt\/some\/key\.bin\?versionId=v1$/, 'to the path the SDK would use')
  t.equal(server.badSignatures, 0, 'signed right')
})

t.test('a body of the wrong size is Corrupt or fails; never wrong bytes', async t => {
  const { server, s3 } = await setup()
  server.modes.push('wrong-length')
  await t.rejects(get(s3, 0, 1000), { code: 'Corrupt' })
  server.modes.push('extra')
  await t.rejects(get(s3, 0, 1000), { code: /^(Corrupt|Unavailable)$/ }, 'bytes past the Content-Length')
  t.ok((await get(s3, 7, 1000)).equals(DATA.subarray(7, 1000)), 'then exact again')
})

t.test('a body that stalls fails at the socket timeout; one cut short fails at once', async t => {
  const { server, s3 } = await setup(undefined, 500)
  server.modes.push('stall')
  const start = Date.now()
  await t.rejects(get(s3, 0, 512 * KiB), { code: 'Unavailable', message: /timed out/ })
  const took = Date.now() - start
  t.ok(took >= 400 && took < 3000, `after the 500 ms timeout (${took} ms)`)
  server.modes.push('cut')
  await t.rejects(get(s3, 0, 512 * KiB), { code: 'Unavailable' })
  t.ok((await get(s3, 0, 512 * KiB)).equals(DATA.subarray(0, 512 * KiB)), 'then exact again')
})

t.test('an abort stops a GET mid-body', async t => {
  const { server, s3 } = await setup()
  server.modes.push('stall')
  const controller = new AbortController()
  setTimeout(() => controller.abort(), 100)
  const start = Date.now()
  await t.rejects(get(s3, 0, 512 * KiB, controller.signal), { code: 'Unavailable' })
  t.ok(Date.now() - start < 2000, 'promptly')
})

t.test('a kept-alive socket the server closed is replaced without an error', async t => {
  const { server, s3 } = await setup()
  t.ok((await get(s3, 0, 10)).equals(DATA.subarray(0, 10)))
  for (const s of server.sockets) s.destroy()
  await new Promise(resolve => setTimeout(resolve, 50))
  t.ok((await get(s3, 10, 20)).equals(DATA.subarray(10, 20)))
  t.equal(server.connections, 2)
})

t.test('over TLS, bytes arrive exact too', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'rawget-tls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'),
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
  // This test's own certificate: trusted for this process only.
  const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'
  t.teardown(() => { if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED; else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before })
  const { server, s3 } = await setup({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) })
  for (const [start, end] of [[0, DATA.length], [1, 2], [300 * KiB + 3, 2000 * KiB]]) {
    t.ok((await get(s3, start, end)).equals(DATA.subarray(start, end)), `[${start}, ${end}) exact`)
  }
  t.equal(server.connections, 1, 'kept alive')
})

/**
 * A sink handed out a 64 KiB block at a time, as the block cache's is, that
 * takes `allowed` bytes and is then full until `open()`.
 */
function paced (length: number, allowed: number): ByteSink & { open: () => void, taken: () => number, waiting: () => boolean, bytes: () => Buffer } {
  const block = 64 * KiB
  const out = Buffer.alloc(length)
  let at = 0
  let bound = allowed
  let go: (() => void) | undefined
  return {
    space: () => out.subarray(at, Math.min(length, (Math.floor(at / block) + 1) * block)),
    filled: n => { at += n },
    full: () => at % block === 0 && at >= bound && at < length,
    whenRoom: resume => { go = resume },
    open: () => {
      bound = length
      const resume = go
      go = undefined
      resume?.()
    },
    taken: () => at,
    waiting: () => go !== undefined,
    bytes: () => out.subarray(0, at)
  }
}

t.test('a full sink pauses the body, its silence is no timeout, and it resumes exact', async t => {
  const { server, s3 } = await setup(undefined, 500)
  // The first GET of a bucket goes through the SDK, the second skips its pipeline: both read through the raw handler.
  for (const path of ['the SDK', 'the lean path']) {
    const sink = paced(DATA.length, 128 * KiB)
    const getting = s3.getInto('bkt', 'some/key.bin', 'v1', 0, DATA.length, sink)
    for (const start = Date.now(); !sink.waiting(); await new Promise(resolve => setTimeout(resolve, 5))) {
      if (Date.now() - start > 10_000) throw new Error('the sink was never waited for')
    }
    // Over twice the 500 ms idle timeout.
    await new Promise(resolve => setTimeout(resolve, 1200))
    t.equal(sink.taken(), 128 * KiB, `${path}: nothing more was taken while the sink was full`)
    sink.open()
    await getting
    t.ok(sink.bytes().equals(DATA), `${path}: then every byte, exact`)
  }
  t.equal(server.connections, 1, 'over one connection, kept alive')
})
