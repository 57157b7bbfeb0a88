// Faults through the gateway: a client that goes away mid-body releases its
// reader; S3 paused (SIGSTOP) or killed mid-body cuts the reply within the
// documented bound, never a hang, and requests in the meantime get an S3
// error; 64 concurrent clients, some slow, stay within bounded memory.
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { request, type IncomingMessage } from 'node:http'
import { join } from 'node:path'
import t from 'tap'
import { streamLog } from '../../src/config/log.js'
import { formatInstant } from '../../src/core/timespec.js'
import { KeyStore } from '../../src/gateway/keys.js'
import { startGateway } from '../../src/gateway/server.js'
import { createReader } from '../../src/reader/reader.js'
import { presignUrl, rawS3, serveGateway, xmlField, type Creds, type ServedGateway } from '../helpers/gateway.js'
import { nextSecond } from '../helpers/history.js'
import { s3env, type S3Env } from '../helpers/s3env.js'
import { tempDir } from '../helpers/temp.js'

const MiB = 1024 * 1024

async function seed (env: S3Env, sizes: number[]): Promise<{ at: string, bodies: Buffer[] }> {
  await env.raw.send(new CreateBucketCommand({ Bucket: 'big' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'big', VersioningConfiguration: { Status: 'Enabled' } }))
  await nextSecond()
  const bodies = sizes.map(n => randomBytes(n))
  for (const [i, body] of bodies.entries()) await env.raw.send(new PutObjectCommand({ Bucket: 'big', Key: `f${i}.bin`, Body: body }))
  const at = formatInstant(Date.now())
  await nextSecond()
  await env.raw.send(new PutObjectCommand({ Bucket: 'big', Key: 'f0.bin', Body: 'overwritten later' }))
  return { at, bodies }
}

/**
 * HEADs each object until the gateway has its listing. Stock moto copies
 * every object's bytes for each version listing, so on a loaded machine a
 * bucket of big objects may take longer than one request's timeout to list.
 */
async function warmUp (gw: ServedGateway, paths: string[]): Promise<void> {
  for (const path of paths) {
    for (let tries = 0; (await rawS3(gw.url, gw.creds, { method: 'HEAD', path })).status !== 200; tries++) {
      if (tries > 20) throw new Error(`the gateway never found ${path}`)
    }
  }
}

/** Starts a GET of a presigned URL; resolves with the response, which the caller reads (or not). */
async function open (url: string): Promise<IncomingMessage> {
  return await new Promise((resolve, reject) => {
    const req = request(url, resolve)
    req.on('error', reject)
    req.end()
  })
}

/** Reads a response to its end; says how it ended and how many bytes came. */
async function drain (res: IncomingMessage): Promise<{ bytes: number, complete: boolean }> {
  let bytes = 0
  if (res.readableEnded || res.destroyed) return { bytes, complete: res.complete }
  return await new Promise(resolve => {
    res.on('data', (c: Buffer) => { bytes += c.length })
    res.on('end', () => resolve({ bytes, complete: true }))
    res.on('error', () => resolve({ bytes, complete: false }))
    res.on('close', () => resolve({ bytes, complete: res.complete }))
  })
}

t.test('a client that disconnects mid-body releases its reader', async t => {
  const env = await s3env(t)
  const { at } = await seed(env, [48 * MiB])
  const engine = env.engine()
  // The byte path the daemon uses (openReader): GETs straight into pooled blocks.
  const reader = createReader({ into: engine.readInto.bind(engine) }, { cacheBytes: 32 * MiB })
  const keys = new KeyStore(join(tempDir(t, 'gw-keys'), 'keys.json'))
  const key = await keys.create()
  const gw = await startGateway({ engine, reader, keys, host: '127.0.0.1', port: 0, log: streamLog(() => {}) })
  t.teardown(gw.close)
  const creds: Creds = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }
  const url = await presignUrl(gw.url, creds, `/big/@${at}/f0.bin`, 300)
  for (let round = 0; round < 5; round++) {
    const res = await open(url)
    await new Promise<void>(resolve => res.once('data', () => resolve()))
    res.destroy()
  }
  const paused = await open(url)
  paused.pause() // a client that stops reading: the gateway must not buffer the object for it
  await new Promise(resolve => setTimeout(resolve, 2000))
  const mid = reader.stats()
  t.ok(mid.cachedBytes <= 32 * MiB, `the cache stays in its budget while a client stalls (${mid.cachedBytes} bytes)`)
  paused.destroy()
  const deadline = Date.now() + 30_000
  const busy = (s: ReturnType<typeof reader.stats>): boolean => s.openHandles > 0 || s.queuedReadahead > 0 || s.inflightBytes > 0
  while (busy(reader.stats()) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100))
  const after = reader.stats()
  t.same([after.openHandles, after.queuedReadahead, after.inflightBytes], [0, 0, 0], 'every handle and readahead GET is closed once the clients are gone')
  const whole = await drain(await open(url))
  t.same(whole, { bytes: 48 * MiB, complete: true }, 'and the gateway still serves the whole object')
})

t.test('S3 paused or killed mid-body: a cut connection or an S3 error, within the bound', async t => {
  const env = await s3env(t)
  const { at, bodies } = await seed(env, [96 * MiB, 1000])
  // A small cache, so most of the object is still to be fetched when S3 stops; short S3 timeouts bound the wait.
  const gw = await serveGateway(t, env, ['--cache-size', '32', '--s3-timeout-ms', '5000', '--s3-attempts', '2'])
  t.teardown(() => { env.moto.process.kill('SIGCONT') })
  const url = await presignUrl(gw.url, gw.creds, `/big/@${at}/f0.bin`, 600)
  const BOUND_MS = 60_000 // generous for a loaded machine: the gateway cuts after four 8 s waits without bytes

  await warmUp(gw, [`/big/@${at}/f0.bin`, `/big/@${at}/f1.bin`])
  const res = await open(url)
  t.equal(res.statusCode, 200)
  res.pause()
  await new Promise(resolve => setTimeout(resolve, 1000))
  env.moto.process.kill('SIGSTOP')
  const stoppedAt = Date.now()
  res.resume()
  const ended = await drain(res)
  const took = Date.now() - stoppedAt
  t.notOk(ended.complete, `the reply is cut (${ended.bytes} of ${bodies[0].length} bytes came) rather than completed with wrong bytes`)
  t.ok(took < BOUND_MS, `cut ${took} ms after S3 stopped`)

  const started = Date.now()
  const head = await rawS3(gw.url, gw.creds, { method: 'GET', path: `/big/@${at}/f1.bin` })
  t.same([head.status, xmlField(head.body, 'Code')], [503, 'ServiceUnavailable'], 'a new request while S3 is stopped: an S3 error')
  t.ok(Date.now() - started < BOUND_MS, `within ${Date.now() - started} ms`)

  env.moto.process.kill('SIGCONT')
  const again = await rawS3(gw.url, gw.creds, { path: `/big/@${at}/f1.bin` })
  t.ok(again.status === 200 && again.body.equals(bodies[1]), 'S3 is back: so is the gateway')

  const second = await open(url)
  second.pause()
  await new Promise(resolve => setTimeout(resolve, 1000))
  env.moto.process.kill('SIGKILL')
  const killedAt = Date.now()
  second.resume()
  const cut = await drain(second)
  t.notOk(cut.complete, `S3 killed mid-body: the reply is cut (${cut.bytes} bytes came)`)
  t.ok(Date.now() - killedAt < BOUND_MS, `within ${Date.now() - killedAt} ms`)
  const gone = await rawS3(gw.url, gw.creds, { path: '/big/f1.bin' })
  t.equal(gone.status, 503, 'and S3 being gone is an S3 error')
  t.match(gw.log(), /ServiceUnavailable/, 'the daemon\'s log says why')
})

t.test('64 concurrent clients, some slow, in bounded memory', async t => {
  const env = await s3env(t)
  const SIZE = 16 * MiB
  const { at, bodies } = await seed(env, Array.from({ length: 8 }, () => SIZE))
  const CACHE_MIB = 128
  const gw = await serveGateway(t, env, ['--cache-size', String(CACHE_MIB)])
  const pid = gw.proc.pid as number
  const status = async (): Promise<Record<string, number>> => Object.fromEntries((await readFile(`/proc/${pid}/status`, 'utf8')).split('\n')
    .filter(l => /^Vm(RSS|HWM):/.test(l)).map(l => [l.split(':')[0], Number(l.split(/\s+/)[1]) * 1024]))
  const before = await status()
  await warmUp(gw, bodies.map((_, i) => `/big/@${at}/f${i}.bin`))
  const urls = await Promise.all(bodies.map(async (_, i) => await presignUrl(gw.url, gw.creds, `/big/@${at}/f${i}.bin`, 900)))
  const clients = Array.from({ length: 64 }, async (_, n) => {
    const res = await open(urls[n % urls.length])
    if (n % 4 === 0) {
      // A slow client: it stalls a while before reading on.
      res.pause()
      await new Promise(resolve => setTimeout(resolve, 3000))
      res.resume()
    }
    return await drain(res)
  })
  const results = await Promise.all(clients)
  const after = await status()
  const short = results.filter(r => !(r.complete && r.bytes === SIZE))
  t.same(short, [], 'every client got its whole object')
  if (short.length > 0) t.comment(gw.log())
  const peakMiB = after.VmHWM / MiB
  t.comment(`daemon RSS before ${(before.VmRSS / MiB).toFixed(0)} MiB, peak ${peakMiB.toFixed(0)} MiB, with --cache-size ${CACHE_MIB} and 64 clients`)
  // The cache, one or two 1 MiB chunks per connection, and the process itself (~150 MiB for Node and the SDK).
  t.ok(peakMiB < CACHE_MIB + 64 * 2 + 250, `peak RSS ${peakMiB.toFixed(0)} MiB is bounded`)
})
