// The disk cache: shared by readers and processes, bounded, and never a
// source of wrong bytes. The fetch is a fake that counts calls (pure unit).
import { execFile } from 'node:child_process'
import { mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import type { Version } from '../../src/core/versions.js'
import { createReader, type CachingReader } from '../../src/reader/reader.js'
import type { RangeFetch, RangeStream } from '../../src/reader/types.js'

const KiB = 1024
const MiB = 1024 * KiB
const DIST_READER = fileURLToPath(new URL('../../dist/reader/reader.js', import.meta.url))

/** Deterministic bytes, so another process can serve the same version. */
function pattern (size: number): Buffer {
  const b = Buffer.alloc(size)
  for (let i = 0; i < size; i++) b[i] = (Math.imul(i, 2654435761) >>> 24) ^ (i >>> 16)
  return b
}

function versionOf (key: string, size: number): Version {
  return { key, versionId: `id-${key}`, size, lastModified: 1_700_000_000_000, etag: '"e"', deleteMarker: false, isLatest: true }
}

interface Counting { fetch: RangeFetch, stream: RangeStream, bytes: () => number, calls: () => number }

/** Serves `data` as whole ranges or as 64 KiB chunks, counting GETs and bytes. */
function counting (data: Buffer): Counting {
  let bytes = 0
  let calls = 0
  return {
    fetch: async (_b, _v, start, end) => {
      calls++
      bytes += end - start
      await new Promise(resolve => setImmediate(resolve))
      return Buffer.from(data.subarray(start, end))
    },
    stream: async function * (_b, _v, start, end) {
      calls++
      for (let at = start; at < end; at += 64 * KiB) {
        await new Promise(resolve => setImmediate(resolve))
        const chunk = data.subarray(at, Math.min(end, at + 64 * KiB))
        bytes += chunk.length
        yield Buffer.from(chunk)
      }
    },
    bytes: () => bytes,
    calls: () => calls
  }
}

async function readAll (reader: CachingReader, v: Version, piece = 128 * KiB): Promise<Buffer> {
  const h = reader.open('bkt', v)
  const parts: Buffer[] = []
  for (let offset = 0; offset < v.size; offset += piece) parts.push(Buffer.from(await h.read(offset, piece)))
  h.close()
  return Buffer.concat(parts)
}

async function blockFiles (dir: string): Promise<string[]> {
  const root = join(dir, 'blocks-v1')
  const out: string[] = []
  for (const sub of await readdir(root)) for (const f of await readdir(join(root, sub))) out.push(join(root, sub, f))
  return out.sort()
}

async function dirBytes (dir: string): Promise<number> {
  let total = 0
  for (const f of await blockFiles(dir)) total += (await stat(f)).size
  return total
}

async function tempDir (t: { teardown: (fn: () => unknown) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'readcache-disk-'))
  t.teardown(async () => await rm(dir, { recursive: true, force: true }))
  return dir
}

for (const kind of ['fetch', 'stream'] as const) t.test(`a second reader on the same directory reads from disk, not S3 (${kind})`, async t => {
  const dir = await tempDir(t)
  const data = pattern(5 * MiB + 17)
  const v = versionOf('data.bin', data.length)
  const source = (c: Counting): RangeFetch | { stream: RangeStream } => kind === 'fetch' ? c.fetch : { stream: c.stream }
  const first = counting(data)
  const a = createReader(source(first), { cacheBytes: 64 * MiB, cacheDir: dir })
  t.ok((await readAll(a, v)).equals(data), 'first pass exact')
  await a.flush()
  t.equal(a.stats().disk?.writes, Math.ceil(data.length / (256 * KiB)), 'every block written once')

  const second = counting(data)
  const b = createReader(source(second), { cacheBytes: 64 * MiB, cacheDir: dir })
  t.ok((await readAll(b, v)).equals(data), 'second reader exact')
  t.equal(second.calls(), 0, 'no GETs')
  t.equal(b.stats().disk?.hits, Math.ceil(data.length / (256 * KiB)))
  const h = b.open('bkt', v)
  t.ok((await h.read(3 * MiB + 5, 70_000)).equals(data.subarray(3 * MiB + 5, 3 * MiB + 5 + 70_000)), 'random read exact')
})

t.test('partial, garbled and misplaced files are misses, then repaired', async t => {
  const dir = await tempDir(t)
  const data = pattern(4 * MiB)
  const v = versionOf('c.bin', data.length)
  const a = createReader(counting(data).fetch, { cacheBytes: 64 * MiB, cacheDir: dir })
  await readAll(a, v)
  await a.flush()
  const files = await blockFiles(dir)
  t.equal(files.length, 16)
  // Truncated (a crash before the data reached the disk).
  const f0 = await open(files[0], 'r+')
  await f0.truncate((await f0.stat()).size - 100)
  await f0.close()
  // One flipped data byte, one broken header.
  for (const [file, at] of [[files[1], -1], [files[2], 0]] as const) {
    const buf = await readFile(file)
    buf[at < 0 ? buf.length + at : at] ^= 0xff
    await writeFile(file, buf)
  }
  // A valid file of another block under this block's name.
  await writeFile(files[3], await readFile(files[4]))

  const again = counting(data)
  const b = createReader(again.fetch, { cacheBytes: 64 * MiB, cacheDir: dir })
  t.ok((await readAll(b, v)).equals(data), 'exact bytes despite the damage')
  t.equal(b.stats().disk?.corrupt, 4, 'four bad files detected')
  t.equal(again.bytes(), 4 * 256 * KiB, 'only the four bad blocks fetched')
  await b.flush()

  const third = counting(data)
  const c = createReader(third.fetch, { cacheBytes: 64 * MiB, cacheDir: dir })
  t.ok((await readAll(c, v)).equals(data))
  t.equal(third.calls(), 0, 'the bad files were replaced')
})

t.test('the directory stays within its bound, evicting the oldest blocks', async t => {
  const dir = await tempDir(t)
  const data = pattern(8 * MiB)
  const v = versionOf('e.bin', data.length)
  // One block of readahead at a time, so each half is written when it is read.
  // The part size too: a stream asks for at least a part, and a default part
  // (8 MiB) would fetch the whole file during the head's read, all within a
  // few ms, leaving eviction to pick among equal file times.
  const opts = { cacheBytes: 64 * MiB, cacheDir: dir, cacheDirBytes: 1 * MiB, blockSize: 64 * KiB, initialReadahead: 64 * KiB, maxReadahead: 64 * KiB, partSize: 64 * KiB }
  const a = createReader(counting(data).fetch, opts)
  const h = a.open('bkt', v)
  const readRange = async (from: number, to: number): Promise<boolean> => {
    let exact = true
    for (let offset = from; offset < to; offset += 128 * KiB) {
      exact &&= (await h.read(offset, 128 * KiB)).equals(data.subarray(offset, offset + 128 * KiB))
    }
    return exact
  }
  t.ok(await readRange(0, 4 * MiB), 'head exact')
  await a.flush()
  // File times are coarse (a few ms): keep the two halves clearly apart.
  await new Promise(resolve => setTimeout(resolve, 100))
  t.ok(await readRange(4 * MiB, 8 * MiB), 'tail exact')
  await a.flush()
  const size = await dirBytes(dir)
  t.ok(size <= 1 * MiB, `directory holds ${size} bytes`)
  t.ok((a.stats().disk?.evictions ?? 0) > 0, 'blocks were evicted')

  const again = counting(data)
  const b = createReader(again.fetch, opts)
  const hb = b.open('bkt', v)
  for (let offset = 7 * MiB; offset < 8 * MiB; offset += 64 * KiB) await hb.read(offset, 64 * KiB)
  t.ok((b.stats().disk?.hits ?? 0) > 0, 'recent blocks are still on disk')
  const fetched = again.bytes()
  for (let offset = 0; offset < 4 * MiB; offset += 64 * KiB) await hb.read(offset, 64 * KiB)
  t.ok(again.bytes() - fetched >= 4 * MiB, 'the older half was evicted entirely')
  await b.flush()
})

t.test('readers sharing a directory at once, in two processes, leave only valid files', async t => {
  const dir = await tempDir(t)
  const size = 6 * MiB + 3
  const script = join(dir, 'child.mjs')
  await writeFile(script, `
    import { createReader } from ${JSON.stringify(DIST_READER)}
    ${pattern.toString()}
    const data = pattern(${size})
    const v = ${JSON.stringify(versionOf('shared.bin', size))}
    const reader = createReader(async (_b, _v, s, e) => Buffer.from(data.subarray(s, e)),
      { cacheBytes: 64 * 1024 * 1024, cacheDir: ${JSON.stringify(dir)}, blockSize: 64 * 1024 })
    const h = reader.open('bkt', v)
    for (let off = 0; off < v.size; off += 100000) {
      const got = await h.read(off, 100000)
      if (!got.equals(data.subarray(off, off + 100000))) throw new Error('wrong bytes at ' + off)
    }
    await reader.flush()
  `)
  const run = async (): Promise<void> => await new Promise((resolve, reject) => {
    execFile(process.execPath, [script], (err, _out, stderr) => err === null ? resolve() : reject(new Error(stderr)))
  })
  await Promise.all([run(), run()])
  const data = pattern(size)
  const none = counting(data)
  const reader = createReader(none.fetch, { cacheBytes: 64 * MiB, cacheDir: dir, blockSize: 64 * KiB })
  t.ok((await readAll(reader, versionOf('shared.bin', size))).equals(data), 'exact from disk')
  t.equal(none.calls(), 0, 'no GETs: both processes left complete files')
  t.equal(reader.stats().disk?.corrupt, 0)
  t.same(await readdir(join(dir, 'tmp')), [], 'no temp files left')
})

t.test('a read does not queue behind readahead while blocks are looked up on disk', async t => {
  const dir = await tempDir(t)
  const big = pattern(64 * MiB)
  const small = pattern(4 * MiB).reverse()
  const order: string[] = []
  const fetch: RangeFetch = async (_b, v, start, end) => {
    order.push(v.key)
    await new Promise(resolve => setImmediate(resolve))
    return Buffer.from((v.key === 'big' ? big : small).subarray(start, end))
  }
  const reader = createReader(fetch, { cacheBytes: 256 * MiB, cacheDir: dir, concurrency: 1, partSize: 1 * MiB, cpuBound: () => false })
  const hb = reader.open('bkt', versionOf('big', big.length))
  for (let offset = 0; offset < 8 * MiB; offset += 128 * KiB) await hb.read(offset, 128 * KiB)
  t.ok(reader.stats().queuedReadahead > 0, 'readahead is queued')
  const before = order.length
  const got = await reader.open('bkt', versionOf('small', small.length)).read(100, 10)
  t.ok(got.equals(small.subarray(100, 110)))
  const at = order.slice(before).indexOf('small')
  t.ok(at >= 0 && at <= 1, `the read went out right after the GET under way (call ${at})`)
  hb.close()
  await reader.flush()
})
