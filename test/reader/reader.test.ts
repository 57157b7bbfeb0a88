// The block cache and readahead, against a fake S3 that counts calls and
// serves whole ranges, chunks or straight into sinks (test/reader/fake-s3.ts);
// a pure unit, S3 itself is covered by s3.test.ts. The oracle for every read is the
// source buffer itself.
import t, { type Test } from 'tap'
import type { Version } from '../../src/core/versions.js'
import { DirectReader } from '../../src/reader/direct.js'
import { createReader, type CachingReader, type ReaderOptions } from '../../src/reader/reader.js'
import { InfinError } from '../../src/core/errors.js'
import type { RangeFetch } from '../../src/reader/types.js'
import { rng } from '../helpers/random.js'
import { expectBytes, FakeS3, KINDS, KiB, MiB, small, waitsOnS3 } from './fake-s3.js'

for (const kind of KINDS) t.test(`random read patterns return exactly the source bytes (${kind})`, async t => {
  const s3 = new FakeS3()
  const sizes = [0, 1, 4 * KiB - 1, 4 * KiB, 4 * KiB + 1, 100 * KiB + 17, 1 * MiB + 5]
  const versions = sizes.map((n, i) => s3.version(`f${i}`, n))
  // A cache far smaller than the data forces evictions mid-read.
  const reader = createReader(s3.source(kind), { ...small, cacheBytes: 48 * KiB, concurrency: 3 })
  const r = rng(7)
  let checks = 0
  for (let round = 0; round < 40; round++) {
    const v = versions[Math.floor(r() * versions.length)]
    const h = reader.open('b', v)
    const reads: Array<Promise<boolean>> = []
    let offset = Math.floor(r() * (v.size + 10))
    for (let n = 0; n < 25; n++) {
      const length = 1 + Math.floor(r() * 13 * KiB)
      const pattern = r()
      // Mostly sequential runs, with backward seeks, skips, far jumps and reads past the end.
      if (pattern < 0.6) offset += length
      else if (pattern < 0.7) offset = Math.max(0, offset - Math.floor(r() * 8 * KiB))
      else if (pattern < 0.8) offset += Math.floor(r() * 40 * KiB)
      else offset = Math.floor(r() * (v.size + 10))
      reads.push(expectBytes(t, s3, v, h.read(offset, length), offset, length))
      // Some reads overlap in time, as FUSE ops do.
      if (r() < 0.5) await Promise.all(reads.splice(0))
    }
    await Promise.all(reads)
    checks += 25
    h.close()
  }
  t.ok(reader.stats().cachedBytes <= 48 * KiB, 'the byte bound held')
  t.equal(checks, 1000)
})

for (const kind of KINDS) t.test(`concurrent reads of one block share one GET (${kind})`, async t => {
  const s3 = new FakeS3()
  const v = s3.version('shared', 10 * MiB)
  const reader = createReader(s3.source(kind), { cacheBytes: 64 * MiB })
  s3.hold()
  const handles = Array.from({ length: 10 }, () => reader.open('b', v))
  const reads = handles.map(async (h, i) => await h.read(4 * MiB + i * 1000, 4096))
  const sameHandle = [handles[0].read(4 * MiB, 100), handles[0].read(4 * MiB + 200, 100)]
  s3.release()
  const bufs = await Promise.all([...reads, ...sameHandle])
  // (With a stream, the second read of handle 0 is sequential and starts a
  // long GET past the window; it does not cover this block.)
  const covering = (): number => s3.calls.filter(c => c.start <= 4 * MiB && c.end > 4 * MiB).length
  t.equal(covering(), 1, 'one GET for 12 reads of one block')
  for (const [i, b] of bufs.slice(0, 10).entries()) t.ok(b.equals(s3.bytes(v).subarray(4 * MiB + i * 1000, 4 * MiB + i * 1000 + 4096)))
  t.equal(reader.stats().hits, 0)
  t.equal(reader.stats().misses, 12)
  await handles[3].read(4 * MiB, 4096)
  t.equal(covering(), 1, 'then served from memory')
  t.equal(reader.stats().hits, 1)
})

t.test('a small random read costs one GET of about 1 MiB', async t => {
  const s3 = new FakeS3()
  const v = s3.version('rand', 96 * MiB)
  // Not fetched whole, however often it is read at random.
  const reader = createReader(s3.fetch, { cacheBytes: 256 * MiB, wholeFileBytes: 0 })
  const h = reader.open('b', v)
  // Backward jumps of more than 1 MiB start a new stream each time.
  for (let offset = 90 * MiB + 12345; offset > 0; offset -= 7 * MiB) {
    const before = s3.calls.length
    await expectBytes(t, s3, v, h.read(offset, 128 * KiB), offset, 128 * KiB)
    const calls = s3.calls.slice(before)
    t.equal(calls.length, 1, `one GET at ${offset}`)
    const size = calls[0].end - calls[0].start
    t.ok(size >= 1 * MiB + 128 * KiB && size <= 1 * MiB + 128 * KiB + 2 * 256 * KiB, `GET of ${size} bytes`)
  }
})

t.test('sequential reads grow the readahead; bytes are fetched once (fetch)', async t => {
  const s3 = new FakeS3()
  const v = s3.version('seq', 200 * MiB)
  const reader = createReader(s3.fetch, { cacheBytes: 512 * MiB , ...waitsOnS3 })
  const h = reader.open('b', v)
  let reads = 0
  let furthestAhead = 0
  for (let offset = 0; offset < v.size; offset += 128 * KiB) {
    await expectBytes(t, s3, v, h.read(offset, 128 * KiB), offset, 128 * KiB)
    reads++
    const requested = Math.max(...s3.calls.map(c => c.end))
    furthestAhead = Math.max(furthestAhead, requested - offset)
  }
  const sizes = s3.calls.map(c => c.end - c.start)
  t.equal(sizes.reduce((a, b) => a + b, 0), v.size, 'every byte fetched exactly once')
  t.ok(sizes[0] <= 1.5 * MiB, `the first GET is small (${sizes[0]})`)
  t.equal(Math.max(...sizes), 8 * MiB, 'GETs grow with the window, up to the part size')
  t.ok(furthestAhead >= 60 * MiB && furthestAhead <= 64 * MiB + 256 * KiB, `the window reached ${furthestAhead / MiB} MiB`)
  t.ok(s3.calls.length < reads / 20, `${s3.calls.length} GETs for ${reads} reads`)
  const st = reader.stats()
  t.ok(st.peakInflightBytes <= 8 * 8 * MiB, 'in-flight bytes bounded by concurrency x part size')
  t.equal(st.inflightBytes, 0)
})

t.test('a sequential reader keeps several ranged GETs in flight, within its window (a source that cannot pace)', async t => {
  const s3 = new FakeS3()
  const v = s3.version('seq', 200 * MiB)
  const reader = createReader(s3.fetch, { cacheBytes: 512 * MiB , ...waitsOnS3 })
  const h = reader.open('b', v)
  let furthestAhead = 0
  for (let offset = 0; offset < v.size; offset += 128 * KiB) {
    await expectBytes(t, s3, v, h.read(offset, 128 * KiB), offset, 128 * KiB)
    furthestAhead = Math.max(furthestAhead, Math.max(...s3.calls.map(c => c.end)) - offset)
  }
  t.ok(s3.peakInFlight >= 4, `${s3.peakInFlight} GETs were in flight at once`)
  t.ok(s3.calls.every(c => c.end - c.start <= 8 * MiB), 'each at most a part')
  t.equal(reader.stats().bytesFetched, v.size, 'every byte fetched exactly once')
  // The window counts from the end of the read (128 KiB on), rounded up to a block.
  t.ok(furthestAhead <= 64 * MiB + 384 * KiB, `never more than the window ahead (${furthestAhead / MiB} MiB)`)
})

t.test('many handles of one file share one window: the cache is shared among open files, not handles', async t => {
  const s3 = new FakeS3()
  const v = s3.version('one', 200 * MiB)
  const reader = createReader(s3.fetch, { cacheBytes: 512 * MiB, ...waitsOnS3 })
  // 16 programs reading one version: the page cache makes their misses one trail, through any of them.
  const handles = Array.from({ length: 16 }, () => reader.open('b', v))
  t.same([reader.stats().openHandles, reader.stats().openFiles], [16, 1])
  let furthestAhead = 0
  for (let offset = 0, i = 0; offset < v.size; offset += 128 * KiB, i = (i + 5) % handles.length) {
    await expectBytes(t, s3, v, handles[i].read(offset, 128 * KiB), offset, 128 * KiB)
    furthestAhead = Math.max(furthestAhead, Math.max(...s3.calls.map(c => c.end)) - offset)
  }
  // Shared by 16 handles, the window would stop at 512 MiB / 16 / 2 = 16 MiB.
  t.ok(furthestAhead >= 60 * MiB, `the window reached ${(furthestAhead / MiB).toFixed(1)} MiB, as one reader's does`)
  t.equal(reader.stats().bytesFetched, v.size, 'every byte fetched once')
  for (const h of handles) h.close()
  t.same([reader.stats().openHandles, reader.stats().openFiles], [0, 0])
})

t.test('streams read at once share the GET slots: each window holds its whole parts of them', async t => {
  const s3 = new FakeS3()
  const versions = [s3.version('one', 200 * MiB), s3.version('two', 200 * MiB)]
  const reader = createReader(s3.fetch, { cacheBytes: 512 * MiB, ...waitsOnS3 })
  const handles = versions.map(v => reader.open('b', v))
  const furthestAhead = [0, 0]
  for (let offset = 0; offset < 200 * MiB; offset += 128 * KiB) {
    for (const [i, v] of versions.entries()) {
      await expectBytes(t, s3, v, handles[i].read(offset, 128 * KiB), offset, 128 * KiB)
      const requested = Math.max(...s3.calls.filter(c => c.key === v.key).map(c => c.end))
      furthestAhead[i] = Math.max(furthestAhead[i], requested - offset)
    }
  }
  // 8 slots of 8 MiB parts, two streams: 4 parts each. Alone, a stream's window reaches 64 MiB.
  for (const [i, ahead] of furthestAhead.entries()) t.ok(ahead > 24 * MiB && ahead <= 32 * MiB + 256 * KiB, `stream ${i} read ${(ahead / MiB).toFixed(1)} MiB ahead`)
  for (const h of handles) h.close()
})

/**
 * A fake source has no connection rate: it streams as fast as this process
 * runs, which was 59 to 93 MiB/s in a process's first tests on 2026-12-04's
 * machine, under the reader's default bound of 160 MiB/s, so its paced GET
 * was handed to parts. Tests of a connection faster than its reader name a
 * bound that a fake beats on any machine, loaded or not; the test of a
 * connection slower than its reader (a chunk per millisecond, under 48 MiB/s)
 * keeps the default.
 */
const fastConnection = { minStreamRate: 4 * MiB }

for (const kind of ['stream', 'into'] as const) t.test(`a sequential reader slower than its connection is fed by one paced GET, within its window (${kind})`, async t => {
  const s3 = new FakeS3()
  const v = s3.version('paced', 128 * MiB)
  const reader = createReader(s3.source(kind), { cacheBytes: 128 * MiB, ...waitsOnS3, ...fastConnection })
  const h = reader.open('b', v)
  let furthestAhead = 0
  let exact = true
  for (let offset = 0; offset < v.size; offset += 256 * KiB) {
    exact &&= (await h.read(offset, 256 * KiB)).equals(s3.bytes(v).subarray(offset, offset + 256 * KiB))
    furthestAhead = Math.max(furthestAhead, s3.furthestSent - offset)
    // The reader takes its time: the connection is faster.
    await new Promise(resolve => setTimeout(resolve, 0))
  }
  t.ok(exact, 'every read exact')
  const long = s3.calls.filter(c => c.end - c.start > 8 * MiB)
  t.equal(long.length, 1, 'one GET ran past a part')
  t.equal(long[0]?.end, v.size, 'to the end of the file')
  t.ok(s3.calls.length <= 3, `${s3.calls.length} GETs in all`)
  const stats = reader.stats()
  t.equal(stats.failedGets, 0, 'none failed')
  // A source of chunks may overrun its bound by a chunk (96 KiB at most here), never by more.
  t.ok(s3.bytesSent - v.size <= 96 * KiB, `${s3.bytesSent - v.size} bytes sent twice`)
  t.ok(furthestAhead <= 64 * MiB + 512 * KiB + 96 * KiB, `never more than the window ahead (${(furthestAhead / MiB).toFixed(2)} MiB)`)
  t.ok(stats.pool.allocated * 256 * KiB <= 80 * MiB, `${stats.pool.allocated} blocks allocated: the window's, reused after that`)
  t.equal(stats.inflightBytes, 0, 'nothing counted in flight after')
})

/** Reads `v` through a fresh reader from start to end, 256 KiB at a time, with no pause between reads. */
async function readStraight (s3: FakeS3, kind: 'stream' | 'into', v: Version, options: Partial<ReaderOptions> = {}): Promise<{ reader: CachingReader, exact: boolean }> {
  const reader = createReader(s3.source(kind), { cacheBytes: 256 * MiB, ...waitsOnS3, ...options })
  const h = reader.open('b', v)
  let exact = true
  for (let offset = 0; offset < v.size; offset += 256 * KiB) {
    exact &&= (await h.read(offset, 256 * KiB)).equals(s3.bytes(v).subarray(offset, offset + 256 * KiB))
  }
  return { reader, exact }
}

for (const kind of ['stream', 'into'] as const) t.test(`a reader waiting at the front of its paced GET keeps it, however wide its window (${kind})`, async t => {
  const s3 = new FakeS3()
  const v = s3.version('front', 128 * MiB)
  // No pause between reads: each waits for the bytes the GET brings next, so the window grows to 64 MiB.
  const { reader, exact } = await readStraight(s3, kind, v, fastConnection)
  t.ok(exact, 'every read exact')
  // Behind the readahead's asking, as any wide window is, the GET is not behind its reader: no parts.
  t.equal(s3.calls.filter(c => c.end - c.start > 8 * MiB).length, 1, 'one paced GET')
  t.ok(s3.calls.length <= 3, `${s3.calls.length} GETs in all`)
  t.equal(reader.stats().bytesFetched, v.size, 'every byte fetched once')
})

for (const kind of ['stream', 'into'] as const) t.test(`a connection slower than its reader hands the stream over to parallel parts (${kind})`, async t => {
  const s3 = new FakeS3()
  const v = s3.version('slow', 48 * MiB)
  s3.chunkDelayMs = 1
  const { reader, exact } = await readStraight(s3, kind, v)
  t.ok(exact, 'every read exact')
  const paced = s3.calls.filter(c => c.end - c.start > 8 * MiB)
  t.equal(paced.length, 1, 'one paced GET, not another after it fell behind')
  // Its first 2 MiB show its rate: it keeps the blocks it had begun, parts take the rest.
  t.ok(paced[0].sent <= 10 * MiB, `it sent ${(paced[0].sent / MiB).toFixed(1)} MiB before parts took over`)
  t.ok(s3.peakInFlight >= 3, `then parts in parallel (${s3.peakInFlight} at once)`)
  t.ok(s3.bytesSent - v.size <= 96 * KiB, `${s3.bytesSent - v.size} bytes sent twice`)
  t.equal(reader.stats().failedGets, 0, 'none failed')
  t.equal(reader.stats().inflightBytes, 0, 'nothing counted in flight after')
})

t.test('readahead restarts small after a random jump', async t => {
  const s3 = new FakeS3()
  const v = s3.version('jump', 200 * MiB)
  const reader = createReader(s3.fetch, { cacheBytes: 512 * MiB , ...waitsOnS3 })
  const h = reader.open('b', v)
  for (let offset = 0; offset < 40 * MiB; offset += 128 * KiB) await h.read(offset, 128 * KiB)
  const before = s3.calls.length
  await expectBytes(t, s3, v, h.read(150 * MiB, 128 * KiB), 150 * MiB, 128 * KiB)
  const after = s3.calls.slice(before)
  t.equal(after.length, 1, 'one GET at the new place')
  t.ok(after[0].end - after[0].start <= 1.5 * MiB, 'of the initial size')
})

t.test('a re-read through a page cache with holes fetches the holes, not the file', async t => {
  // A long stream gives its blocks up as it reads (the kernel keeps the
  // pages); the kernel may then drop a few pages, and a second reader of the
  // file sends only those: small reads, ascending, far apart.
  const s3 = new FakeS3()
  const v = s3.version('holes', 64 * MiB)
  const reader = createReader({ into: s3.into }, { cacheBytes: 128 * MiB, ...waitsOnS3 })
  const first = reader.open('b', v)
  for (let offset = 0; offset < v.size; offset += 128 * KiB) await first.read(offset, 128 * KiB)
  first.close()
  const before = reader.stats().bytesFetched
  const r = rng(7)
  const holes = Array.from({ length: 40 }, () => Math.floor(r() * (v.size / (16 * KiB))) * 16 * KiB).sort((a, b) => a - b)
  const second = reader.open('b', v)
  for (const o of holes) await expectBytes(t, s3, v, second.read(o, 16 * KiB), o, 16 * KiB)
  await new Promise(resolve => setTimeout(resolve, 50))
  const fetched = reader.stats().bytesFetched - before
  // Each hole is one 256 KiB block (two where it straddles), past the first stream's few MiB.
  t.ok(fetched <= holes.length * 2 * 256 * KiB + 8 * MiB, `${fetched / MiB} MiB fetched for ${holes.length} holes of 16 KiB`)
})

t.test('the memory cache stays within its byte bound', async t => {
  const s3 = new FakeS3()
  const v = s3.version('big', 32 * MiB)
  const reader = createReader(s3.fetch, { cacheBytes: 3 * MiB })
  const h = reader.open('b', v)
  for (let offset = 0; offset < v.size; offset += 128 * KiB) {
    const got = h.read(offset, 128 * KiB)
    await expectBytes(t, s3, v, got, offset, 128 * KiB)
    t.ok(reader.stats().cachedBytes <= 3 * MiB, 'within 3 MiB')
    // A cached block must not pin the rest of its 8 MiB GET, which the bound would not count.
    t.ok((await got).buffer.byteLength <= 256 * KiB, 'a block owns just its own memory')
  }
  const fetched = reader.stats().bytesFetched
  await h.read(0, 128 * KiB)
  t.ok(reader.stats().bytesFetched > fetched, 'the start was evicted and fetched again')

  // A long stream recycles the blocks it has read past its first part
  // (8 MiB): their memory goes to the blocks ahead. Its start stays cached.
  const roomy = createReader(s3.fetch, { cacheBytes: 64 * MiB })
  const h2 = roomy.open('b', v)
  for (let offset = 0; offset < v.size; offset += 128 * KiB) await h2.read(offset, 128 * KiB)
  t.ok(roomy.stats().pool.allocated * 256 * KiB < 24 * MiB, `a 32 MiB stream took ${roomy.stats().pool.allocated / 4} MiB of block memory`)
  t.ok(roomy.stats().pool.reused > 0, 'and reused it')
  const calls = s3.calls.length
  const again = roomy.open('b', v)
  for (let offset = 0; offset < 8 * MiB; offset += 128 * KiB) await again.read(offset, 128 * KiB)
  // (Its readahead fetches what lies past the start again.)
  t.equal(s3.calls.slice(calls).filter(c => c.start < 8 * MiB).length, 0, 'the start of the stream re-reads without GETs')
  // Blocks read at random stay cached.
  const r = rng(5)
  const offsets = Array.from({ length: 50 }, () => Math.floor(r() * (v.size - 4096)))
  for (const o of offsets) await expectBytes(t, s3, v, again.read(o, 4096), o, 4096)
  const after = roomy.stats().gets
  for (const o of offsets) await expectBytes(t, s3, v, again.read(o, 4096), o, 4096)
  t.equal(roomy.stats().gets, after, 'random reads re-read without GETs')
})

t.test('a failed GET surfaces as Unavailable and is retried by the next read', async t => {
  const s3 = new FakeS3()
  const v = s3.version('flaky', 3 * MiB)
  const reader = createReader(s3.fetch, { cacheBytes: 64 * MiB })
  const h = reader.open('b', v)
  s3.failures = 1
  await t.rejects(h.read(0, 4096), { name: 'InfinError', code: 'Unavailable' })
  await expectBytes(t, s3, v, h.read(0, 4096), 0, 4096)
  t.equal(reader.stats().failedGets, 1)

  s3.failures = 100
  const h2 = reader.open('b', v)
  await t.rejects(h2.read(2 * MiB + 10, 4096), { code: 'Unavailable' })
  await t.rejects(h2.read(2 * MiB + 10, 4096), { code: 'Unavailable' }, 'still down')
  s3.failures = 0
  await expectBytes(t, s3, v, h2.read(2 * MiB + 10, 4096), 2 * MiB + 10, 4096)
})

/** A streamed file whose first GET is cut 300 KiB in, once its first read has its bytes. */
async function afterACutGet (t: Test): Promise<{ s3: FakeS3, v: Version, reader: CachingReader, h: ReturnType<CachingReader['open']> }> {
  const s3 = new FakeS3()
  const v = s3.version('cut', 4 * MiB)
  const reader = createReader({ stream: s3.stream }, { cacheBytes: 64 * MiB })
  const h = reader.open('b', v)
  s3.cutAfter = 300 * KiB
  await expectBytes(t, s3, v, h.read(0, 4096), 0, 4096)
  return { s3, v, reader, h }
}

t.test('a stream that ends early delivers its blocks so far; the rest fail, then are retried', async t => {
  const { s3, v, reader, h } = await afterACutGet(t)
  // A read that joins the cut GET tries once with a GET of its own: cut as well here.
  s3.faultAt.set(1 * MiB, 'cut')
  await t.rejects(h.read(1 * MiB, 4096), { code: 'Corrupt', message: /fewer bytes/ }, 'a block past the cut, when its own GET is cut too')
  await expectBytes(t, s3, v, h.read(1 * MiB, 4096), 1 * MiB, 4096)
  t.equal(reader.stats().failedGets, 2)
})

t.test('a read that joins a GET which then fails gets its block by a GET of its own', async t => {
  const { s3, v, reader, h } = await afterACutGet(t)
  await expectBytes(t, s3, v, h.read(1 * MiB, 4096), 1 * MiB, 4096)
  t.equal(reader.stats().failedGets, 1, 'the cut GET failed, and the read did not')
})

t.test('a stream that stalls fails its missing blocks at the deadline, then they are retried', async t => {
  const s3 = new FakeS3()
  const v = s3.version('stall', 4 * MiB)
  const reader = createReader({ stream: s3.stream }, { cacheBytes: 64 * MiB, getTimeoutMs: 100 })
  const h = reader.open('b', v)
  s3.stallAfter = 300 * KiB
  await expectBytes(t, s3, v, h.read(0, 4096), 0, 4096)
  // The read joins the stalled GET, and its own GET stalls as well.
  s3.faultAt.set(1 * MiB, 'stall')
  await t.rejects(h.read(1 * MiB, 4096), { code: 'Unavailable', message: /stalled for 100 ms/ })
  await expectBytes(t, s3, v, h.read(1 * MiB, 4096), 1 * MiB, 4096)
})

t.test('with a stream, a read waits only for its own blocks, not the whole GET', async t => {
  const s3 = new FakeS3()
  const v = s3.version('early', 64 * MiB)
  // The first read asks for the whole file as one GET, which stalls after 1 MiB.
  const reader = createReader({ stream: s3.stream },
    { cacheBytes: 256 * MiB, partSize: 64 * MiB, initialReadahead: 63 * MiB, getTimeoutMs: 300 })
  const h = reader.open('b', v)
  s3.stallAfter = 1 * MiB
  await expectBytes(t, s3, v, h.read(0, 4096), 0, 4096)
  t.equal(s3.calls.length, 1)
  t.ok(reader.stats().inflightBytes > 60 * MiB, 'served while the GET is still under way')
  s3.faultAt.set(2 * MiB, 'stall')
  await t.rejects(h.read(2 * MiB, 4096), { code: 'Unavailable' }, 'bytes past the stall fail at the deadline (their own GET stalls too)')
  t.equal(reader.stats().inflightBytes, 0)
})

t.test('a GET that never answers fails at its deadline, and the block is retried', async t => {
  const s3 = new FakeS3()
  const v = s3.version('hang', 1 * MiB)
  let hang = true
  const fetch: RangeFetch = async (...args) => {
    if (hang) return await new Promise<Buffer>(() => {})
    return await s3.fetch(...args)
  }
  const reader = createReader(fetch, { cacheBytes: 8 * MiB, getTimeoutMs: 50, readTimeoutMs: 5000 })
  const h = reader.open('b', v)
  await t.rejects(h.read(100, 10), { code: 'Unavailable', message: /stalled for 50 ms/ })
  hang = false
  await expectBytes(t, s3, v, h.read(100, 10), 100, 10)
})

t.test('a read waiting too long fails before FUSE would time out', async t => {
  const s3 = new FakeS3()
  const v = s3.version('slow', 1 * MiB)
  const reader = createReader(s3.fetch, { cacheBytes: 8 * MiB, readTimeoutMs: 50 })
  s3.hold()
  await t.rejects(reader.open('b', v).read(0, 10), { code: 'Unavailable', message: /no bytes from S3 for 50 ms/ })
  s3.release()
})

for (const kind of KINDS) t.test(`a handle opened with an end fetches nothing past it (${kind})`, async t => {
  // As the S3 gateway serves boto3's parallel 8 MiB parts: each part's readahead stays in its part.
  const s3 = new FakeS3()
  const v = s3.version('parts', 64 * MiB)
  const reader = createReader(s3.source(kind), { cacheBytes: 512 * MiB })
  const parts = [0, 1, 2, 3].map(i => ({ start: i * 8 * MiB + (i === 2 ? 100 : 0), end: (i + 1) * 8 * MiB - (i === 1 ? 333 : 0) }))
  await Promise.all(parts.map(async ({ start, end }) => {
    const h = reader.open('b', v, { end })
    for (let at = start; at < end; at += 256 * KiB) await expectBytes(t, s3, v, h.read(at, Math.min(256 * KiB, end - at)), at, Math.min(256 * KiB, end - at))
    h.close()
  }))
  const fetched = s3.calls.reduce((n, c) => n + c.end - c.start, 0)
  t.ok(s3.calls.every(c => c.end <= 32 * MiB), `no GET went past the last part (${JSON.stringify(s3.calls.map(c => [c.start, c.end]))})`)
  t.ok(fetched <= 32 * MiB + 4 * 256 * KiB, `about the parts' bytes were fetched (${fetched} of ${32 * MiB})`)
})

t.test('a read waiting its turn while S3 brings other bytes is not failed at the deadline', async t => {
  // The one GET slot is busy with a slow GET that keeps delivering: S3 works, the read just waits (as under
  // 16 readers on a CPU-starved machine). Only time without bytes counts against the deadline.
  const s3 = new FakeS3()
  const a = s3.version('slow-a', 4 * MiB)
  const b = s3.version('waits-b', 1 * MiB)
  const reader = createReader({ stream: s3.stream },
    { cacheBytes: 64 * MiB, concurrency: 1, partSize: 4 * MiB, initialReadahead: 4 * MiB, readTimeoutMs: 300, getTimeoutMs: 5000 })
  s3.chunkDelayMs = 20
  await expectBytes(t, s3, a, reader.open('b', a).read(0, 4096), 0, 4096)
  const started = Date.now()
  await expectBytes(t, s3, b, reader.open('b', b).read(0, 10), 0, 10)
  t.ok(Date.now() - started > 300, `it waited past the deadline (${Date.now() - started} ms) and still got its bytes`)
})

t.test('the read deadline counts from the first attempt: the kernel\'s retry of a failed read fails at once', async t => {
  const s3 = new FakeS3()
  const v = s3.version('stalled', 16 * MiB)
  const reader = createReader(s3.fetch, { cacheBytes: 8 * MiB, readTimeoutMs: 400 })
  const h = reader.open('b', v)
  s3.hold()
  const t0 = Date.now()
  await t.rejects(h.read(0, 128 * KiB), { code: 'Unavailable' })
  t.ok(Date.now() - t0 >= 390, 'the first attempt waits the deadline')
  const t1 = Date.now()
  await t.rejects(h.read(4096, 4096), { code: 'Unavailable', message: /from the first attempt/ }, 'a retry of a page of it')
  t.ok(Date.now() - t1 < 200, `fails at once (${Date.now() - t1} ms), not after another deadline`)
  // Long after (two deadlines), an application's own retry gets a full wait again.
  await new Promise(resolve => setTimeout(resolve, 850))
  const later = h.read(0, 10)
  setTimeout(() => s3.release(), 100)
  await expectBytes(t, s3, v, later, 0, 10)
  s3.hold()
  const t2 = Date.now()
  await t.rejects(h.read(12 * MiB, 10), { code: 'Unavailable' })
  t.ok(Date.now() - t2 >= 390, 'a block that came resets nothing for others; a new block waits its own deadline')
  s3.release()
})

t.test('without a cache too, the deadline counts from the first attempt', async t => {
  // A fetch that never answers, like a stopped server: only the abort signal ends it.
  const never: RangeFetch = async (_b, _v, _s, _e, signal) => await new Promise<Buffer>((_resolve, reject) => {
    signal?.addEventListener('abort', () => reject(new InfinError('Unavailable', 'aborted')))
  })
  const h = new DirectReader(never, { deadlineMs: 400 }).open('b', new FakeS3().version('x', 1 * MiB))
  // AbortSignal.timeout's timer does not keep the process alive (a mount has its own reasons to live).
  const alive = setInterval(() => {}, 100)
  t.teardown(() => clearInterval(alive))
  const t0 = Date.now()
  await t.rejects(h.read(0, 128 * KiB), { code: 'Unavailable' })
  t.ok(Date.now() - t0 >= 390, 'the first attempt waits the deadline')
  const t1 = Date.now()
  await t.rejects(h.read(8192, 4096), { code: 'Unavailable', message: /from the first attempt/ })
  t.ok(Date.now() - t1 < 200, `the retry fails at once (${Date.now() - t1} ms)`)
})

t.test('a wrong-sized answer is Corrupt, not wrong bytes', async t => {
  const s3 = new FakeS3()
  const v = s3.version('short', 1 * MiB)
  const fetch: RangeFetch = async (b, ver, start, end) => (await s3.fetch(b, ver, start, end)).subarray(1)
  const reader = createReader(fetch, { cacheBytes: 8 * MiB })
  await t.rejects(reader.open('b', v).read(0, 10), { code: 'Corrupt' })
})

t.test('a read does not queue behind readahead', async t => {
  const s3 = new FakeS3()
  const a = s3.version('a', 64 * MiB)
  const b = s3.version('b', 4 * MiB)
  const reader = createReader(s3.fetch, { cacheBytes: 256 * MiB, concurrency: 1, partSize: 1 * MiB , ...waitsOnS3 })
  const ha = reader.open('b', a)
  // Sequential reads of `a` build up readahead waiting for the one slot.
  for (let offset = 0; offset < 8 * MiB; offset += 128 * KiB) await ha.read(offset, 128 * KiB)
  t.ok(reader.stats().queuedReadahead > 0, 'readahead is queued')
  const before = s3.calls.length
  s3.hold()
  const got = reader.open('b', b).read(100, 10)
  await new Promise(resolve => setImmediate(resolve))
  s3.release()
  await expectBytes(t, s3, b, got, 100, 10)
  const firstForB = s3.calls.slice(before).findIndex(c => c.key === 'b')
  t.ok(firstForB >= 0 && firstForB <= 1, `the read of b went out right after the GET under way (call ${firstForB})`)
  ha.close()
})

t.test('a far jump drops the readahead queued for the old stream', async t => {
  const s3 = new FakeS3()
  const v = s3.version('jumping', 128 * MiB)
  const reader = createReader(s3.fetch, { cacheBytes: 256 * MiB, concurrency: 1, partSize: 2 * MiB , ...waitsOnS3 })
  const h = reader.open('b', v)
  for (let offset = 0; offset < 16 * MiB; offset += 128 * KiB) await h.read(offset, 128 * KiB)
  t.ok(reader.stats().queuedReadahead > 1, 'readahead is queued')
  await expectBytes(t, s3, v, h.read(100 * MiB, 4096), 100 * MiB, 4096)
  t.equal(reader.stats().queuedReadahead, 0, 'nothing left queued for the old stream')
  h.close()
})

t.test('closing a handle drops its queued readahead', async t => {
  const s3 = new FakeS3()
  const v = s3.version('closing', 64 * MiB)
  const reader = createReader(s3.fetch, { cacheBytes: 256 * MiB, concurrency: 1, partSize: 1 * MiB , ...waitsOnS3 })
  const h = reader.open('b', v)
  for (let offset = 0; offset < 8 * MiB; offset += 128 * KiB) await h.read(offset, 128 * KiB)
  const queued = reader.stats().queuedReadahead
  t.ok(queued > 0, `${queued} readahead GETs queued`)
  const before = s3.calls.length
  h.close()
  t.equal(reader.stats().queuedReadahead, 0)
  await new Promise(resolve => setTimeout(resolve, 20))
  t.ok(s3.calls.length - before <= 1, 'at most the GET already under way completed')
  // The dropped blocks are not stuck as "loading": a new handle reads them.
  const h2 = reader.open('b', v)
  await expectBytes(t, s3, v, h2.read(20 * MiB, 4096), 20 * MiB, 4096)
  t.equal(reader.stats().openHandles, 1)
})

t.test('a null version that was overwritten in place is not served from the old cache', async t => {
  const s3 = new FakeS3()
  const old = s3.version('n', 100 * KiB, 'null')
  const reader = createReader(s3.fetch, { cacheBytes: 8 * MiB })
  const oldBytes = Buffer.from(await reader.open('b', old).read(0, 100 * KiB))
  // Same key, same 'null' id, new bytes and a new time: what a suspended bucket does.
  const fresh: Version = { ...s3.version('n', 100 * KiB, 'null'), lastModified: old.lastModified + 1000, etag: '"other"' }
  const got = await reader.open('b', fresh).read(0, 100 * KiB)
  t.ok(got.equals(s3.bytes(fresh)), 'the new bytes')
  t.notOk(got.equals(oldBytes))
})

t.test('options are checked', async t => {
  t.throws(() => createReader(new FakeS3().fetch, { cacheBytes: 0 }), { code: 'Usage' })
  t.throws(() => createReader(new FakeS3().fetch, { cacheBytes: 1, blockSize: -1 }), { code: 'Usage' })
  t.throws(() => createReader(new FakeS3().fetch, { cacheBytes: 1, minStreamRate: 0 }), { code: 'Usage' })
})
