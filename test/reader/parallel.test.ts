// Parallel ranged GETs into pooled blocks, against the fake S3 of
// fake-s3.ts: exact bytes at every offset of every block, faults of one part
// among several, the pool's reuse rule, whole-file fetching of files read at
// random, and the paced stream's faults, slot and close. The oracle for
// every read is the source buffer itself.
import t from 'tap'
import { BlockPool } from '../../src/reader/pool.js'
import { createReader, type CachingReader } from '../../src/reader/reader.js'
import { rng } from '../helpers/random.js'
import { expectBytes, FakeS3, KINDS, KiB, MiB, until, waitsOnS3 } from './fake-s3.js'

// 4 KiB blocks, 16 KiB parts: a few MiB hold hundreds of blocks and dozens of parts.
const tiny = { blockSize: 4 * KiB, initialReadahead: 8 * KiB, maxReadahead: 64 * KiB, partSize: 16 * KiB, poisonFreedBlocks: true, ...waitsOnS3 }

/** Reads with readInto, as FUSE does, into a buffer of its own. */
async function readInto (reader: CachingReader, h: ReturnType<CachingReader['open']>, offset: number, length: number): Promise<Buffer> {
  const out = Buffer.alloc(length, 0xee)
  const n = await (h.readInto as NonNullable<typeof h.readInto>)(out, offset)
  return out.subarray(0, n)
}

for (const kind of KINDS) t.test(`every block at every offset is exact, with several GETs in flight (${kind})`, async t => {
  const s3 = new FakeS3()
  const B = tiny.blockSize
  const P = tiny.partSize
  // Empty, one byte, a block less one, exactly one block, a block and one,
  // a part, a part and a partial block, several parts and a partial block.
  const sizes = [0, 1, B - 1, B, B + 1, P, P + B + 7, 5 * P + 3 * B + 123]
  // A cache smaller than the files: blocks are evicted and their memory reused mid-read.
  const reader = createReader(s3.source(kind), { ...tiny, cacheBytes: 32 * KiB, concurrency: 4 })
  for (const size of sizes) {
    const v = s3.version(`f${size}`, size)
    const data = s3.bytes(v)
    // Sequential passes in several read sizes, aligned and not.
    for (const length of [1, B - 1, B, B + 1, 3 * B + 5, P]) {
      const h = reader.open('b', v)
      const parts: Buffer[] = []
      for (let offset = 0; offset < size; offset += length) parts.push(await readInto(reader, h, offset, length))
      t.ok(Buffer.concat(parts).equals(data), `size ${size}, reads of ${length}: exact`)
      t.equal((await h.read(size, 10)).length, 0, `size ${size}: nothing past the end`)
      h.close()
    }
    // Every block at its start, one in, its last byte, and across its end.
    const h = reader.open('b', v)
    let exact = true
    for (let block = 0; block * B < size; block++) {
      for (const offset of [block * B, block * B + 1, (block + 1) * B - 1, (block + 1) * B - 2]) {
        if (offset >= size) continue
        const got = await h.read(offset, 3)
        exact &&= got.equals(data.subarray(offset, offset + 3))
      }
    }
    t.ok(exact, `size ${size}: every block at every edge`)
    h.close()
  }
  t.ok(s3.peakInFlight >= 2, `GETs ran in parallel (${s3.peakInFlight} at once)`)
  t.ok(reader.stats().pool.reused > 0, 'block memory was reused')
})

t.test('many handles at once over a tiny cache: exact, and no block reused while a read holds it', async t => {
  const s3 = new FakeS3()
  const versions = [s3.version('a', 300 * KiB + 11), s3.version('b', 200 * KiB), s3.version('c', 90 * KiB + 1)]
  // Freed blocks are filled with a marker: a read copying from a block whose
  // memory went to another would return the marker, not the bytes.
  const reader = createReader({ into: s3.into }, { ...tiny, cacheBytes: 24 * KiB, concurrency: 6 })
  const r = rng(11)
  await Promise.all(Array.from({ length: 12 }, async (_, n) => {
    const v = versions[n % versions.length]
    const h = reader.open('b', v)
    for (let i = 0; i < 60; i++) {
      const offset = r() < 0.7 ? (i * 5 * KiB) % v.size : Math.floor(r() * v.size)
      const length = 1 + Math.floor(r() * 9 * KiB)
      await expectBytes(t, s3, v, h.read(offset, length), offset, length)
    }
    h.close()
  }))
  const { pool } = reader.stats()
  t.ok(pool.reused > 100, `${pool.reused} blocks reused`)
  t.ok(pool.allocated * tiny.blockSize < 24 * KiB + 6 * tiny.partSize + 64 * KiB, `${pool.allocated} blocks allocated: the cache plus what GETs under way fill`)
})

t.test('the pool refuses to hand out a block that is cached or referenced', async t => {
  const pool = new BlockPool(4096, { poison: true })
  const a = pool.take(4096)
  a.memory.fill(1)
  a.cached = true
  pool.unpin(a)
  t.not(pool.take(100), a, 'a cached block is not free')
  pool.pin(a)
  pool.uncache(a)
  t.not(pool.take(100), a, 'nor one a read still holds')
  t.equal(a.memory[0], 1, 'and its bytes are untouched')
  pool.unpin(a)
  t.equal(a.memory[0], 0xdb, 'released, it is poisoned')
  t.equal(pool.take(10), a, 'and handed out again')
  // The checks themselves: a misuse is an error, not silent reuse.
  const c = pool.take(10)
  pool.unpin(c)
  c.cached = true
  t.throws(() => pool.take(10), /in use was about to be reused/, 'a free block found cached')
  const d = pool.take(10)
  pool.unpin(d)
  t.throws(() => { pool.unpin(d) }, /unpinned more often/)
  t.throws(() => { pool.pin(d) }, /free block was pinned/)
})

const faulty = { ...tiny, cacheBytes: 4 * MiB, concurrency: 4, getTimeoutMs: 300, readTimeoutMs: 1500 }

for (const fault of ['fail', 'cut', 'stall'] as const) t.test(`a part that ${fault === 'fail' ? 'fails' : fault === 'cut' ? 'is cut mid-body' : 'stalls mid-body'} while others succeed: its read fails in time, never wrong bytes, then recovers`, async t => {
  const s3 = new FakeS3()
  const v = s3.version('v', 40 * tiny.partSize)
  const reader = createReader({ into: s3.into }, faulty)
  // One handle streams the file, its window in parallel parts; another reads
  // far ahead at random, and the GET for that read meets the fault.
  const stream = reader.open('b', v)
  const jumper = reader.open('b', v)
  const at = 30 * tiny.partSize + 5 * tiny.blockSize + 100
  s3.faultAt.set(at - 100, fault)
  // (It stays clear of the faulty part: a read that waited for those blocks would fail too.)
  const streaming = (async () => {
    for (let offset = 0; offset < 25 * tiny.partSize; offset += 4 * KiB) await expectBytes(t, s3, v, stream.read(offset, 4 * KiB), offset, 4 * KiB)
  })()
  const start = Date.now()
  await t.rejects(jumper.read(at, 4 * KiB), { name: 'InfinError', code: /^(Unavailable|Corrupt)$/ }, 'the read that waited for the faulty part fails as an I/O error')
  const took = Date.now() - start
  t.ok(took <= faulty.readTimeoutMs + 1000, `within the read deadline (${took} ms)`)
  await streaming
  t.pass('meanwhile the other reads were exact')
  await expectBytes(t, s3, v, jumper.read(at, 4 * KiB), at, 4 * KiB)
  t.equal(reader.stats().inflightBytes, 0, 'nothing left in flight')
})

t.test('a read that joins a GET stalled before it began is not failed by it once S3 has recovered', async t => {
  const s3 = new FakeS3()
  const v = s3.version('v', 8 * tiny.partSize)
  // The read gives up before the GET does, as on the mount (8 s, then 10 s).
  const opts = { ...faulty, getTimeoutMs: 800, readTimeoutMs: 500 }
  const reader = createReader({ into: s3.into }, opts)
  s3.stallAfter = 10
  const gaveUp = reader.open('b', v)
  await t.rejects(gaveUp.read(0, 4 * KiB), { code: 'Unavailable' }, 'the first read gives up on the stalled GET')
  gaveUp.close()
  // S3 answers again (the stall was one GET's); the stalled GET is still pending.
  const gets = s3.calls.length
  const next = reader.open('b', v)
  const start = Date.now()
  await expectBytes(t, s3, v, next.read(0, 4 * KiB), 0, 4 * KiB)
  t.ok(Date.now() - start < opts.readTimeoutMs, `within its deadline (${Date.now() - start} ms)`)
  t.ok(s3.calls.length > gets, 'by a GET of its own once the stalled one failed')
  next.close()
})

t.test('a slow part delays only the reads of its own blocks', async t => {
  const s3 = new FakeS3()
  const v = s3.version('v', 32 * tiny.partSize)
  s3.slowMs = 200
  const reader = createReader({ into: s3.into }, { ...faulty, getTimeoutMs: 5000, readTimeoutMs: 5000 })
  const h = reader.open('b', v)
  for (let offset = 0; offset < tiny.partSize; offset += 4 * KiB) await h.read(offset, 4 * KiB)
  for (let b = 5; b < 30; b++) s3.faultAt.set(b * tiny.blockSize, 'slow')
  for (let offset = tiny.partSize; offset < v.size; offset += 4 * KiB) await expectBytes(t, s3, v, h.read(offset, 4 * KiB), offset, 4 * KiB)
  t.equal(reader.stats().failedGets, 0, 'slow is not failed')
})

t.test('a file read at random is fetched whole, in parallel parts, if it fits', async t => {
  const s3 = new FakeS3()
  const v = s3.version('r', 3 * MiB)
  const reader = createReader({ into: s3.into }, { cacheBytes: 64 * MiB, partSize: 256 * KiB, wholeFileBytes: 4 * MiB })
  const h = reader.open('b', v)
  const r = rng(3)
  const offsets = Array.from({ length: 40 }, () => Math.floor(r() * (v.size - 4096)))
  for (const o of offsets.slice(0, 3)) await expectBytes(t, s3, v, h.read(o, 4096), o, 4096)
  // Streams begun behind earlier reads started the whole file as readahead.
  for (const o of offsets.slice(3)) await expectBytes(t, s3, v, h.read(o, 4096), o, 4096)
  await new Promise(resolve => setTimeout(resolve, 50))
  t.equal(reader.stats().bytesFetched, v.size, 'every byte fetched once')
  t.ok(s3.peakInFlight >= 2, `in parallel parts (${s3.peakInFlight} at once)`)
  const gets = s3.calls.length
  for (const o of offsets) await h.read(o, 4096)
  t.equal(s3.calls.length, gets, 'then random reads cost no GET')

  const big = s3.version('big', 6 * MiB)
  const small = createReader({ into: s3.into }, { cacheBytes: 64 * MiB, blockSize: 4 * KiB, partSize: 256 * KiB, wholeFileBytes: 4 * MiB, initialReadahead: 16 * KiB })
  const hb = small.open('b', big)
  for (const o of offsets) await expectBytes(t, s3, big, hb.read(o * 2, 4096), o * 2, 4096)
  t.ok(small.stats().bytesFetched < big.size / 2, `a file over the bound is not (${small.stats().bytesFetched} bytes fetched)`)
})

// A sequential reader is fed by one paced GET to the end of the file (see PacedStreams, src/reader/streams.ts).
for (const fault of ['fail', 'cut', 'stall'] as const) t.test(`a paced stream that ${fault === 'fail' ? 'fails' : fault === 'cut' ? 'is cut mid-body' : 'stalls mid-body'}: a read fails in time or is fetched afresh, never wrong bytes, and the next read recovers`, async t => {
  const s3 = new FakeS3()
  const v = s3.version('v', 40 * tiny.partSize)
  const reader = createReader({ into: s3.into }, faulty)
  const h = reader.open('b', v)
  await expectBytes(t, s3, v, h.read(0, 4 * KiB), 0, 4 * KiB)
  // The next GET is the stream's.
  if (fault === 'fail') s3.failures = 1
  else if (fault === 'cut') s3.cutAfter = 10 * KiB
  else s3.stallAfter = 10 * KiB
  let exact = true
  for (let offset = 4 * KiB; offset < v.size; offset += 4 * KiB) {
    const start = Date.now()
    let got: Buffer
    try {
      got = await h.read(offset, 4 * KiB)
    } catch (e) {
      t.match(e, { name: 'InfinError', code: /^(Unavailable|Corrupt)$/ }, `the read at ${offset} fails as an I/O error`)
      t.ok(Date.now() - start <= faulty.readTimeoutMs + 1000, `within the read deadline (${Date.now() - start} ms)`)
      got = await h.read(offset, 4 * KiB)
    }
    exact &&= got.equals(s3.bytes(v).subarray(offset, offset + 4 * KiB))
  }
  t.ok(exact, 'every read exact, at once or when read again')
  t.equal(s3.calls[1]?.end, v.size, 'the fault met the paced stream')
  t.ok(reader.stats().failedGets >= 1, 'which failed')
  t.equal(reader.stats().inflightBytes, 0, 'nothing left in flight')
})

t.test('a paced stream waiting for its reader lets its GET slot go to a read of another file', async t => {
  const s3 = new FakeS3()
  const a = s3.version('a', 64 * tiny.partSize)
  const b = s3.version('b', 8 * KiB)
  const reader = createReader({ into: s3.into }, { ...tiny, cacheBytes: 4 * MiB, concurrency: 1 })
  const h = reader.open('b', a)
  for (let offset = 0; offset < 4 * tiny.partSize; offset += 4 * KiB) await h.read(offset, 4 * KiB)
  await until(() => s3.calls.some(c => c.end === a.size) && s3.inFlight === 1, 'the stream runs')
  // It fills its window, then waits for reads that do not come.
  await new Promise(resolve => setTimeout(resolve, 50))
  const start = Date.now()
  await expectBytes(t, s3, b, reader.open('b', b).read(0, 4 * KiB), 0, 4 * KiB)
  // A stream also lets go after a second of waiting: well before that, the read was served.
  t.ok(Date.now() - start < 900, `served in ${Date.now() - start} ms`)
  for (let offset = 4 * tiny.partSize; offset < a.size; offset += 4 * KiB) await expectBytes(t, s3, a, h.read(offset, 4 * KiB), offset, 4 * KiB)
})

t.test('closing a handle ends the paced stream that waits for it', async t => {
  const s3 = new FakeS3()
  const a = s3.version('a', 64 * tiny.partSize)
  const reader = createReader({ into: s3.into }, { ...tiny, cacheBytes: 4 * MiB })
  const h = reader.open('b', a)
  for (let offset = 0; offset < 4 * tiny.partSize; offset += 4 * KiB) await h.read(offset, 4 * KiB)
  await until(() => s3.calls.some(c => c.end === a.size) && s3.inFlight === 1, 'the stream runs')
  await new Promise(resolve => setTimeout(resolve, 50))
  const start = Date.now()
  h.close()
  await until(() => s3.inFlight === 0, 'the stream ended')
  t.ok(Date.now() - start < 900, `it ended ${Date.now() - start} ms after the close, not after a second of waiting`)
  t.equal(reader.stats().failedGets, 0, 'an end, not a failure')
  t.equal(reader.stats().inflightBytes, 0, 'nothing left in flight')
})
