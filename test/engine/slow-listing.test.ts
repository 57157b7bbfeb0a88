// A slow S3 gives a slow listing; a silent one gives an error in bounded
// time. The engine lists through a proxy that makes each ListObjectVersions
// cost a while, served one at a time or all side by side (a loaded moto): a
// directory with many subdirectories sends more listings at once than the
// server answers within one request timeout, yet every one is answered.
import { CreateBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import { InfinError } from '../../src/core/errors.js'
import { formatInstant } from '../../src/core/timespec.js'
import { s3env } from '../helpers/s3env.js'
import { slowListings } from '../helpers/slow-s3.js'

const DIRS = 40
const TIMEOUT_MS = 1500
/** Each listing costs the server this long: 16 at once wait up to 16 × 300 ms, far past the request timeout. */
const SERVICE_MS = 300

const pad = (i: number): string => String(i).padStart(2, '0')
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

t.test('a listing slower than the request timeout, but progressing, completes; a silent S3 fails in bounded time', async t => {
  const env = await s3env(t)
  const Bucket = 'slow'
  await env.raw.send(new CreateBucketCommand({ Bucket }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }))
  for (let i = 0; i < DIRS; i++) {
    await env.raw.send(new PutObjectCommand({ Bucket, Key: `tree/d${pad(i)}/a.txt`, Body: `a${i}` }))
  }
  // S3 stamps whole seconds: T is a second after the last write, and what follows comes a second later.
  await sleep(1100)
  const at = formatInstant(Math.floor(Date.now() / 1000) * 1000)
  await sleep(1100)
  await env.raw.send(new DeleteObjectCommand({ Bucket, Key: 'tree/d00/a.txt' }))
  await env.raw.send(new PutObjectCommand({ Bucket, Key: `tree/d${pad(DIRS)}/a.txt`, Body: 'later' }))

  for (const sharing of ['queue', 'shared'] as const) {
    await t.test(`a server that ${sharing === 'queue' ? 'serves listings one at a time' : 'works on every request at once'}`, async t => {
      const slow = await slowListings(t, env.endpoint, SERVICE_MS, sharing)
      const engine = env.services({ endpoint: slow.endpoint, 's3-timeout-ms': TIMEOUT_MS, 's3-attempts': 3, 's3-concurrency': 16 }).engine
      const view = await engine.view(Bucket, at)
      const latest = await engine.view(Bucket, 'latest')
      const started = Date.now()
      const dir = await engine.readDir(view, 'tree/')
      const seconds = (Date.now() - started) / 1000
      t.comment(`readDir of ${DIRS} subdirectories took ${seconds.toFixed(1)} s and ${slow.listings()} listing requests, ${slow.repeats()} of them repeated`)
      t.same(dir.dirs.map(d => d.seg), [...Array(DIRS).keys()].map(i => `d${pad(i)}`), 'every directory live at T, none written later')
      t.ok(seconds > TIMEOUT_MS / 1000, 'the listing was slower than one request timeout (the case under test)')
      t.equal(slow.repeats(), 0, 'no listing was abandoned and sent again')

      // Now the server goes silent: a listing not cached yet fails, within attempts × timeout plus slack.
      slow.silence()
      const before = Date.now()
      const failed = await engine.readDir(latest, 'other/').then(() => undefined, (e: unknown) => e)
      const waited = (Date.now() - before) / 1000
      t.comment(`a silent S3 failed the listing after ${waited.toFixed(1)} s`)
      t.ok(failed instanceof InfinError && failed.code === 'Unavailable', `a silent S3 is an Unavailable error (${String(failed)})`)
      t.ok(waited < 3 * TIMEOUT_MS / 1000 + 10, `within the attempts' bound (${waited.toFixed(1)} s)`)
    })
  }
})
