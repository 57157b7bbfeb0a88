// Sequential-read detection of one open file (pure).
import t from 'tap'
import { Readahead } from '../../src/reader/readahead.js'

const KiB = 1024
const MiB = 1024 * KiB
const opts = { initial: 1 * MiB, backward: 1 * MiB, forward: 16 * MiB, step: 0 }

/** Reads a stream in 128 KiB pieces; returns the window after each prefetch. */
function stream (r: Readahead, from: number, to: number, cap: number, waits: boolean): number[] {
  const windows: number[] = []
  for (let off = from; off < to; off += 128 * KiB) {
    if (waits) r.waited()
    const p = r.next(off, off + 128 * KiB, cap)
    if (p !== undefined) windows.push(p.until - (off + 128 * KiB))
  }
  return windows
}

t.test('a first read asks for 1 MiB past its end', async t => {
  const r = new Readahead(opts)
  t.same(r.next(5 * MiB, 5 * MiB + 128 * KiB, 64 * MiB), { until: 6 * MiB + 128 * KiB, restarted: true })
})

t.test('a reader that keeps waiting grows the window eightfold up to the cap', async t => {
  const r = new Readahead(opts)
  const windows = stream(r, 0, 512 * MiB, 64 * MiB, true)
  t.same(windows.slice(0, 4), [1, 8, 64, 64].map(n => n * MiB))
  t.ok(windows.every(w => w <= 64 * MiB), 'never past the cap')
  // Prefetching happens each time half the window is consumed, not on every read.
  t.ok(windows.length < 4096 / 16, `prefetched ${windows.length} times for 4096 reads`)
})

t.test('a reader that never waits keeps its window: every byte ahead is memory', async t => {
  const r = new Readahead(opts)
  const windows = stream(r, 0, 64 * MiB, 64 * MiB, false)
  t.ok(windows.every(w => w === 1 * MiB), 'the initial window throughout')
  // Then the network falls behind: the window grows again.
  const later = stream(r, 64 * MiB, 128 * MiB, 64 * MiB, true)
  t.same(later.slice(0, 3), [8, 64, 64].map(n => n * MiB))
})

t.test('a waiting stream that asks a part at a time grows to a part at once, then to the cap', async t => {
  const r = new Readahead({ ...opts, step: 8 * MiB })
  const windows = stream(r, 0, 512 * MiB, 64 * MiB, true)
  // The second request is a step past the first (1 + 8 MiB); the next grows eightfold, to the cap.
  t.same(windows.slice(0, 4).map(w => Math.round(w / MiB)), [1, 9, 64, 64])
  t.ok(windows.every(w => w <= 64 * MiB + 8 * MiB), 'never past the cap and a step')
})

t.test('once sequential, each request is at least a step (a part)', async t => {
  const r = new Readahead({ ...opts, step: 8 * MiB })
  let requested = r.next(0, 128 * KiB, 64 * MiB)?.until ?? 0
  t.equal(requested, 1 * MiB + 128 * KiB, 'a new stream starts small')
  for (let off = 128 * KiB; off < 100 * MiB; off += 128 * KiB) {
    const p = r.next(off, off + 128 * KiB, 64 * MiB)
    if (p === undefined) continue
    t.ok(p.until - requested >= 8 * MiB || p.until - (off + 128 * KiB) >= 8 * MiB, `a step of ${(p.until - requested) / MiB} MiB`)
    t.ok(p.until - (off + 128 * KiB) <= 8 * MiB + 1 * MiB, 'no further ahead than a step past the window')
    requested = p.until
  }
})

t.test('the cap bounds the window, and a shrinking cap takes effect', async t => {
  const r = new Readahead(opts)
  t.equal(stream(r, 0, 64 * MiB, 4 * MiB, true).at(-1), 4 * MiB)
  t.equal(stream(r, 64 * MiB, 128 * MiB, 2 * MiB, true).at(-1), 2 * MiB)
})

t.test('small reorderings and skips keep the stream; big jumps restart it', async t => {
  const r = new Readahead(opts)
  r.next(0, 128 * KiB, 64 * MiB)
  stream(r, 128 * KiB, 8 * MiB, 64 * MiB, true)
  const check = (offset: number, restarted: boolean, what: string): void => {
    const p = r.next(offset, offset + 128 * KiB, 64 * MiB)
    t.equal(p?.restarted ?? false, restarted, what)
  }
  check(8 * MiB - 512 * KiB, false, 'a read 512 KiB back')
  check(8 * MiB + 256 * KiB, false, 'a read slightly out of order')
  check(20 * MiB, false, 'a skip within 16 MiB')
  check(100 * MiB, true, 'a jump of 80 MiB')
  check(100 * MiB - 3 * MiB, true, 'a read 3 MiB back, past a new stream\'s window')
  check(97 * MiB + 128 * KiB, false, 'then sequential again')
  check(0, true, 'back to the start')
})

t.test('reads the kernel sent out of order stay in the stream, up to its window or a part behind', async t => {
  // The kernel cuts its own readahead into 128 KiB requests, and FUSE
  // threads pass them on in any order: a few MiB behind the furthest read
  // is still the same stream, and restarting it would drop its readahead.
  const r = new Readahead(opts)
  stream(r, 0, 40 * MiB, 64 * MiB, true)
  t.equal(r.next(40 * MiB - 3 * MiB, 40 * MiB - 3 * MiB + 128 * KiB, 64 * MiB)?.restarted ?? false, false, '3 MiB back')
  t.equal(r.sequential, true)
  t.equal(r.next(40 * MiB - 15 * MiB, 40 * MiB - 15 * MiB + 128 * KiB, 64 * MiB)?.restarted ?? false, false, '15 MiB back')
  t.equal(r.next(40 * MiB - 17 * MiB, 40 * MiB - 17 * MiB + 128 * KiB, 64 * MiB)?.restarted, true, 'past 16 MiB back, a new stream')
  // A stream whose window stayed small still keeps reads a part behind.
  const small = new Readahead({ ...opts, step: 8 * MiB })
  stream(small, 0, 40 * MiB, 64 * MiB, false)
  t.equal(small.next(40 * MiB - 7 * MiB, 40 * MiB - 7 * MiB + 128 * KiB, 64 * MiB)?.restarted ?? false, false, '7 MiB back, window 1 MiB, part 8 MiB')
})

t.test('a restarted stream starts small again', async t => {
  const r = new Readahead(opts)
  stream(r, 0, 32 * MiB, 64 * MiB, true)
  t.same(r.next(200 * MiB, 200 * MiB + 4 * KiB, 64 * MiB), { until: 201 * MiB + 4 * KiB, restarted: true })
})

t.test('reads that skip most of what they span stop reading ahead; dense reads out of order do not', async t => {
  // The kernel asks only for pages its cache lacks: a reader going through
  // a file the kernel mostly holds sends a few small reads far apart.
  const r = new Readahead({ ...opts, step: 8 * MiB })
  const asked: number[] = []
  for (let off = 0; off < 64 * MiB; off += 512 * KiB) {
    const p = r.next(off, off + 16 * KiB, 64 * MiB)
    if (p !== undefined) asked.push(off)
  }
  t.ok(asked.length <= 6, `readahead only until the trail showed sparse (asked at ${asked.map(o => o / KiB).join(', ')} KiB)`)
  t.equal(r.sequential, true, 'the reads still count as one stream')

  // A sequential reader whose 128 KiB requests arrive in pairs swapped spans no more than it reads.
  const dense = new Readahead({ ...opts, step: 8 * MiB })
  let prefetches = 0
  for (let off = 0; off < 64 * MiB; off += 256 * KiB) {
    for (const o of [off + 128 * KiB, off]) if (dense.next(o, o + 128 * KiB, 64 * MiB) !== undefined) prefetches++
  }
  t.ok(prefetches >= 64 / 8, `it keeps reading ahead (${prefetches} prefetches over 64 MiB)`)
})
