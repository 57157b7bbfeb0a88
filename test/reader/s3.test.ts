// The reader through the Engine against a real S3 server (moto): exact bytes
// for every version, and re-reads that cost no GET.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import type { Version } from '../../src/core/versions.js'
import type { Engine } from '../../src/engine/engine.js'
import { createReader, type CachingReader } from '../../src/reader/reader.js'
import type { RangeInto } from '../../src/reader/types.js'
import { rng } from '../helpers/random.js'
import { s3env } from '../helpers/s3env.js'

const KiB = 1024
const MiB = 1024 * KiB
const BUCKET = 'reads'

interface Case { version: Version, bytes: Buffer }

/** Every byte of a version, in 128 KiB reads as FUSE sends them. */
async function sequential (reader: CachingReader, c: Case): Promise<boolean> {
  const h = reader.open(BUCKET, c.version)
  const parts: Buffer[] = []
  for (let offset = 0; offset < c.version.size; offset += 128 * KiB) parts.push(Buffer.from(await h.read(offset, 128 * KiB)))
  h.close()
  return Buffer.concat(parts).equals(c.bytes)
}

/** Seeded random reads, a few at a time; true when all were exact. */
async function random (reader: CachingReader, c: Case, seed: number): Promise<boolean> {
  const r = rng(seed)
  const h = reader.open(BUCKET, c.version)
  let exact = true
  for (let n = 0; n < 10; n++) {
    await Promise.all(Array.from({ length: 4 }, async () => {
      const offset = Math.floor(r() * c.version.size)
      const length = 1 + Math.floor(r() * 300 * KiB)
      const got = await h.read(offset, length)
      exact &&= got.equals(c.bytes.subarray(offset, offset + length))
    }))
  }
  h.close()
  return exact
}

const gets = (engine: Engine): number => engine.requests.get('GetObject') ?? 0

t.test('multi-MiB versions read exactly, and re-read without GETs', async t => {
  const env = await s3env(t)
  const dir = await mkdtemp(join(tmpdir(), 'readcache-s3-'))
  t.teardown(async () => await rm(dir, { recursive: true, force: true }))
  await env.raw.send(new CreateBucketCommand({ Bucket: BUCKET }))
  // A 'null' version from before versioning, then three versions of one key.
  const pre = randomBytes(3 * MiB + 7)
  await env.raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'pre.bin', Body: pre }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }))
  const byId = new Map<string, Buffer>([['null', pre]])
  for (const size of [9 * MiB + 1, 4 * MiB, 13 * MiB + 123]) {
    const body = randomBytes(size)
    const out = await env.raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'data.bin', Body: body }))
    byId.set(out.VersionId as string, body)
  }
  const engine = env.engine()
  const cases: Case[] = []
  for (const key of ['pre.bin', 'data.bin']) {
    for (const version of (await engine.history(BUCKET, key)).versions) {
      cases.push({ version, bytes: byId.get(version.versionId) as Buffer })
    }
  }
  t.equal(cases.length, 4, 'four versions')

  // The lean path here (sockets read into blocks), as the mount uses it;
  // whole-range GETs for the second reader below, the SDK's stream for the third.
  const into: RangeInto = engine.readInto.bind(engine)
  const reader = createReader({ into }, { cacheBytes: 256 * MiB, cacheDir: dir, poisonFreedBlocks: true })
  let streamed = 0
  for (const [i, c] of cases.entries()) {
    const before = reader.stats().bytesFetched
    t.ok(await sequential(reader, c), `${c.version.key} ${c.version.versionId}: sequential read exact`)
    streamed += reader.stats().bytesFetched - before
    // (A long stream recycles what it has read: these may fetch some again.)
    t.ok(await random(reader, c, i), `${c.version.key} ${c.version.versionId}: random reads exact`)
  }
  const total = cases.reduce((n, c) => n + c.version.size, 0)
  t.equal(streamed, total, 'a sequential pass fetches each byte once')
  await reader.flush()
  t.ok(gets(engine) < total / MiB, `${gets(engine)} GETs for ${Math.round(total / MiB)} MiB`)

  const before = gets(engine)
  const concurrent = await Promise.all(cases.flatMap((c, i) => [sequential(reader, c), random(reader, c, 100 + i)]))
  t.ok(concurrent.every(Boolean), 'a concurrent second pass is exact')
  t.equal(gets(engine), before, 'and costs no GET')

  // Handles closed in the middle of a long GET leave the client usable.
  const early = createReader({ into }, { cacheBytes: 64 * MiB })
  const big = cases.find(c => c.version.size > 12 * MiB) as Case
  for (let round = 0; round < 20; round++) {
    const h = early.open(BUCKET, big.version)
    for (let offset = 0; offset < 2 * MiB; offset += 128 * KiB) await h.read(offset, 128 * KiB)
    h.close()
  }
  t.ok(await random(early, big, 300), 'reads still exact after 20 long GETs were cut short')

  // Another reader (as another process or after a restart) reads from disk.
  await reader.flush()
  const fresh = env.engine()
  const second = createReader(fresh.read.bind(fresh), { cacheBytes: 64 * MiB, cacheDir: dir })
  for (const [i, c] of cases.entries()) {
    t.ok(await sequential(second, c), `${c.version.versionId}: exact from the disk cache`)
    t.ok(await random(second, c, 200 + i), `${c.version.versionId}: random reads exact from disk`)
  }
  t.equal(gets(fresh), 0, 'no GET through the second reader')

  // With S3 gone, cached blocks still read; others fail as Unavailable.
  const c = cases[cases.length - 1]
  const brittle = env.engine({ attempts: 1, timeoutMs: 2000 })
  const memoryOnly = createReader({ into: brittle.readInto.bind(brittle) }, { cacheBytes: 64 * MiB })
  const h = memoryOnly.open(BUCKET, c.version)
  t.ok((await h.read(0, 128 * KiB)).equals(c.bytes.subarray(0, 128 * KiB)))
  await env.moto.stop()
  t.ok((await h.read(64 * KiB, 128 * KiB)).equals(c.bytes.subarray(64 * KiB, 192 * KiB)), 'cached bytes read while S3 is down')
  await t.rejects(h.read(c.version.size - 10, 10), { name: 'InfinError', code: 'Unavailable' })
})
