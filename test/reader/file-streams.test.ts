// Streams shared by the handles of one file: the pure bookkeeping, then the
// reader fed the way the kernel's page cache feeds it when several processes
// read one file (its misses in order, each through whichever handle reached
// the page first), against the fake S3 (test/reader/fake-s3.ts).
import t, { type Test } from 'tap'
import { FileStreams, type FileStream } from '../../src/reader/file-streams.js'
import { createReader } from '../../src/reader/reader.js'
import { rng } from '../helpers/random.js'
import { FakeS3, KINDS, KiB, MiB, waitsOnS3, type Kind } from './fake-s3.js'

const OPTIONS = { initial: 1 * MiB, backward: 1 * MiB, forward: 16 * MiB, step: 8 * MiB }

t.test('a read that continues another handle\'s stream joins it; one far from every stream gets its own', async t => {
  const streams = new FileStreams(OPTIONS)
  const abandoned: FileStream[] = []
  const gone = (s: FileStream): void => { abandoned.push(s) }
  const s = streams.streamFor('f', undefined, 0, gone)
  s.readahead.next(0, 4 * MiB, 64 * MiB)
  t.equal(streams.streamFor('f', s, 4 * MiB, gone), s, 'a handle\'s next read keeps its stream')
  t.equal(streams.streamFor('f', undefined, 5 * MiB, gone), s, 'another handle reading just past it joins it')
  t.equal(s.users, 2)
  t.not(streams.streamFor('g', undefined, 4 * MiB, gone), s, 'another file never shares it')
  const part = streams.streamFor('f', undefined, 12 * MiB, gone)
  t.not(part, s, 'a read well past its furthest read (the next part of a client\'s ranged GETs) does not join it')
  streams.leave('f', part, gone)
  t.same(abandoned, [part])
  abandoned.length = 0
  const far = streams.streamFor('f', s, 100 * MiB, gone)
  t.not(far, s, 'a far read through a shared stream starts a stream of its own')
  t.same([s.users, far.users], [1, 1])
  t.equal(streams.streamFor('f', s, 200 * MiB, gone), s, 'a far read through a stream nobody shares restarts it in place')
  streams.leave('f', s, gone)
  t.same(abandoned, [s], 'a stream its last handle leaves is abandoned, so its queued readahead is dropped')
  far.readahead.next(100 * MiB, 101 * MiB, 64 * MiB)
  t.equal(streams.streamFor('f', undefined, 101 * MiB, gone), far, 'a read just past the remaining stream joins it')
  const fresh = streams.streamFor('f', undefined, 4 * MiB, gone)
  t.ok(fresh !== s && fresh !== far, 'the abandoned stream is gone: a read where it stood starts a new one')
})

/**
 * Reads a file the way the page cache asks FUSE for it: each missing page
 * once, in 128 KiB requests a few at a time, each through the handle of
 * whichever of `readers` reached it first. Returns the GETs it took.
 */
async function throughPageCache (t: Test, kind: Kind, readers: number): Promise<number> {
  const s3 = new FakeS3()
  const v = s3.version('shared', 96 * MiB)
  const reader = createReader(s3.source(kind), { cacheBytes: 512 * MiB, ...waitsOnS3 })
  const handles = Array.from({ length: readers }, () => reader.open('b', v))
  const r = rng(11)
  let exact = true
  for (let offset = 0; offset < v.size; offset += 512 * KiB) {
    const batch = [0, 1, 2, 3].map(async n => {
      const at = offset + n * 128 * KiB
      const h = handles[Math.floor(r() * handles.length)]
      return (await h.read(at, 128 * KiB)).equals(s3.bytes(v).subarray(at, at + 128 * KiB))
    })
    for (const ok of await Promise.all(batch)) exact &&= ok
  }
  for (const h of handles) h.close()
  t.ok(exact, `${readers} readers: every read exact`)
  t.equal(reader.stats().bytesFetched, v.size, `${readers} readers: every byte fetched once`)
  return s3.calls.length
}

for (const kind of KINDS) t.test(`readers of one file whose reads arrive through any of their handles read as one stream (${kind})`, async t => {
  const alone = await throughPageCache(t, kind, 1)
  const six = await throughPageCache(t, kind, 6)
  t.ok(six <= alone + 2, `6 readers took ${six} GETs, one reader ${alone}`)
})

t.test('two handles reading far apart in one file keep a stream each', async t => {
  const s3 = new FakeS3()
  // Far enough apart that the first stream's window (64 MiB at most) stops short of the second.
  const v = s3.version('apart', 256 * MiB)
  const reader = createReader(s3.fetch, { cacheBytes: 512 * MiB, ...waitsOnS3 })
  const [a, b] = [reader.open('b', v), reader.open('b', v)]
  let exact = true
  for (let n = 0; n < 48 * MiB; n += 128 * KiB) {
    for (const [h, at] of [[a, n], [b, 160 * MiB + n]] as const) {
      exact &&= (await h.read(at, 128 * KiB)).equals(s3.bytes(v).subarray(at, at + 128 * KiB))
    }
  }
  a.close()
  b.close()
  t.ok(exact, 'every read exact')
  const small = s3.calls.filter(c => c.end - c.start < 8 * MiB).length
  t.ok(small <= 6, `${small} of ${s3.calls.length} GETs are under a part: neither stream restarted`)
  const asked = s3.calls.reduce((n, c) => n + c.end - c.start, 0)
  t.ok(asked <= 2 * (48 + 64) * MiB, `${asked / MiB} MiB asked for: each stream its reads and its window`)
})

for (const kind of KINDS) t.test(`a client's ranged GETs of one object's parts, read at once, keep a stream each (${kind})`, async t => {
  const s3 = new FakeS3()
  const v = s3.version('parts', 64 * MiB)
  const reader = createReader(s3.source(kind), { cacheBytes: 512 * MiB, ...waitsOnS3 })
  // As the gateway opens them for boto3's download_file: 8 MiB ranges, 8 threads.
  const part = 8 * MiB
  const handles = Array.from({ length: 8 }, (_, n) => reader.open('b', v, { end: (n + 1) * part, once: true }))
  let exact = true
  for (let at = 0; at < part; at += 128 * KiB) {
    const reads = handles.map(async (h, n) => {
      const from = n * part + at
      return (await h.read(from, 128 * KiB)).equals(s3.bytes(v).subarray(from, from + 128 * KiB))
    })
    for (const ok of await Promise.all(reads)) exact &&= ok
  }
  for (const h of handles) h.close()
  t.ok(exact, 'every read exact')
  t.equal(reader.stats().bytesFetched, v.size, 'every byte fetched once')
  // Each part: a first small GET and the rest of it; parts that took turns with a shared stream would restart it at every read.
  t.ok(s3.calls.length <= 3 * handles.length, `${s3.calls.length} GETs for ${handles.length} parts`)
})
