// Sequential-read detection of one open file (pure).
import t from 'tap'
import { Readahead } from '../../src/reader/readahead.js'

const KiB = 1024
const MiB = 1024 * KiB
const opts = { initial: 1 * MiB, backward: 1 * MiB, forward: 16 * MiB }

t.test('a first read asks for 1 MiB past its end', async t => {
  const r = new Readahead(opts)
  t.same(r.next(5 * MiB, 5 * MiB + 128 * KiB, 64 * MiB), { until: 6 * MiB + 128 * KiB, restarted: true })
})

t.test('sequential 128 KiB reads double the window up to the cap', async t => {
  const r = new Readahead(opts)
  const windows: number[] = []
  let requested = 0
  for (let off = 0; off < 512 * MiB; off += 128 * KiB) {
    const p = r.next(off, off + 128 * KiB, 64 * MiB)
    if (p === undefined) continue
    t.ok(p.until > requested, 'each prefetch reaches further')
    if (off > 0) t.equal(p.restarted, false, 'the stream continues')
    windows.push(p.until - (off + 128 * KiB))
    requested = p.until
  }
  t.same(windows.slice(0, 8), [1, 2, 4, 8, 16, 32, 64, 64].map(n => n * MiB))
  t.ok(windows.every(w => w <= 64 * MiB), 'never past the cap')
  // Prefetching happens each time half the window is consumed, not on every read.
  t.ok(windows.length < 4096 / 16, `prefetched ${windows.length} times for 4096 reads`)
})

t.test('the cap bounds the window, and a shrinking cap takes effect', async t => {
  const r = new Readahead(opts)
  let last = 0
  for (let off = 0; off < 64 * MiB; off += 128 * KiB) {
    const p = r.next(off, off + 128 * KiB, 4 * MiB)
    if (p !== undefined) last = p.until - (off + 128 * KiB)
  }
  t.equal(last, 4 * MiB)
  let shrunk = 0
  for (let off = 64 * MiB; off < 128 * MiB; off += 128 * KiB) {
    const p = r.next(off, off + 128 * KiB, 2 * MiB)
    if (p !== undefined) shrunk = p.until - (off + 128 * KiB)
  }
  t.equal(shrunk, 2 * MiB)
})

t.test('small reorderings and skips keep the stream; big jumps restart it', async t => {
  const r = new Readahead(opts)
  r.next(0, 128 * KiB, 64 * MiB)
  for (let off = 128 * KiB; off < 8 * MiB; off += 128 * KiB) r.next(off, off + 128 * KiB, 64 * MiB)
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

t.test('a wide window keeps reads the kernel sent out of order', async t => {
  // The kernel cuts its own readahead into 128 KiB requests, and FUSE
  // threads pass them on in any order: a few MiB behind the furthest read
  // is still the same stream, and restarting it would drop its long GET.
  const r = new Readahead(opts)
  for (let off = 0; off < 40 * MiB; off += 128 * KiB) r.next(off, off + 128 * KiB, 64 * MiB)
  t.equal(r.next(40 * MiB - 3 * MiB, 40 * MiB - 3 * MiB + 128 * KiB, 64 * MiB)?.restarted ?? false, false, '3 MiB back')
  t.equal(r.sequential, true)
  t.equal(r.next(40 * MiB - 15 * MiB, 40 * MiB - 15 * MiB + 128 * KiB, 64 * MiB)?.restarted ?? false, false, '15 MiB back')
  t.equal(r.next(40 * MiB - 17 * MiB, 40 * MiB - 17 * MiB + 128 * KiB, 64 * MiB)?.restarted, true, 'past 16 MiB back, a new stream')
})

t.test('a restarted stream starts small again', async t => {
  const r = new Readahead(opts)
  for (let off = 0; off < 32 * MiB; off += 128 * KiB) r.next(off, off + 128 * KiB, 64 * MiB)
  t.same(r.next(200 * MiB, 200 * MiB + 4 * KiB, 64 * MiB), { until: 201 * MiB + 4 * KiB, restarted: true })
})
