// Scenarios 1, 2 and 6: reading the big versioned file.
import type { BigDataset } from '../datasets.js'
import { expectCount, mibPerSecond, MiB, type Bench } from '../measure.js'
import { dropCaches, peakRss } from '../proc.js'
import { ddRead, randomOffsets, randomReads, sampleHashes, sha256 } from '../readers.js'
import type { At, Mounted, MountSystem } from '../systems/types.js'

const LATEST_NOTE = 'no time travel: reads the latest version, same size'
const MEMFS_NOTE = 'synthetic bytes, not checked'

/** The version a system reads: the oldest, or the latest where that is all it shows. */
function pick (big: BigDataset, sys: MountSystem): { at: At, version: number } {
  return sys.travel === 'latest-only' ? { at: 'latest', version: big.contents.length - 1 } : { at: big.times[0], version: 0 }
}

/** Fails on wrong bytes: a fast wrong answer must not count as fast. */
async function verify (path: string, content: Buffer, offsets: number[], size: number, budget: number): Promise<void> {
  const ranges = offsets.map(o => [o, Math.min(size, content.length - o)] as [number, number])
  const got = await sampleHashes(path, ranges, budget)
  ranges.forEach(([o, n], i) => {
    if (got[i] !== sha256(content.subarray(o, o + n))) throw new Error(`wrong bytes at offset ${o}`)
  })
}

async function withMount<T> (m: Mounted, fn: (m: Mounted) => Promise<T>): Promise<T> {
  try {
    return await fn(m)
  } finally {
    await m.unmount()
  }
}

export async function sequential (b: Bench): Promise<void> {
  const { big } = b.data
  const scenario = `1. Sequential read of a past ${big.contents[0].length / MiB} MiB version`
  b.rec.define({ id: 'seq-cold', scenario, label: 'cold sequential read', title: 'Cold read (fresh mount, page cache dropped)', unit: 'MiB/s', better: 'higher' })
  b.rec.define({ id: 'seq-warm', scenario, label: 'warm re-read', title: 'Warm re-read in the same mount', unit: 'MiB/s', better: 'higher' })
  const size = big.contents[0].length
  const checks = [0, Math.floor(size / 2), size - 65536]
  for (let rep = 0; rep < b.profile.repetitions; rep++) {
    for (const sys of b.mounts) {
      const { at, version } = pick(big, sys)
      await b.rec.attempt('seq', ['seq-cold', 'seq-warm'], sys.info.id, rep, async () => await withMount(await sys.mount(big, [at]), async m => {
        await dropCaches()
        const cold = await ddRead(m.path(at, big.key), b.profile.budgetMs)
        expectCount('bytes read', cold.bytes, size)
        const warm = await ddRead(m.path(at, big.key), b.profile.budgetMs)
        expectCount('bytes re-read', warm.bytes, size)
        if (sys.info.id !== 'memfs') await verify(m.path(at, big.key), big.contents[version], checks, 65536, b.profile.budgetMs)
        return { 'seq-cold': mibPerSecond(cold.bytes, cold.seconds), 'seq-warm': mibPerSecond(warm.bytes, warm.seconds) }
      }))
      if (at === 'latest') for (const id of ['seq-cold', 'seq-warm']) b.rec.note(id, sys.info.id, LATEST_NOTE)
      if (sys.info.id === 'memfs') b.rec.note('seq-cold', sys.info.id, MEMFS_NOTE)
    }
    const direct = b.direct
    if (direct !== undefined) {
      await b.rec.attempt('seq', ['seq-cold', 'seq-warm'], 'direct', rep, async () => {
        const url = direct.url(big.bucket, big.key, big.events[0].versionId)
        await dropCaches()
        const cold = await direct.fetch([{ url }], b.profile.budgetMs)
        const warm = await direct.fetch([{ url }], b.profile.budgetMs)
        expectCount('bytes fetched', cold.bytes + warm.bytes, 2 * size)
        return { 'seq-cold': mibPerSecond(cold.bytes, cold.seconds), 'seq-warm': mibPerSecond(warm.bytes, warm.seconds) }
      })
    }
  }
}

export async function random (b: Bench): Promise<void> {
  const { big } = b.data
  const { randomReads: count, randomReadBytes: size } = b.profile
  const scenario = `2. ${count.toLocaleString('en-US')} random ${size / 1024} KiB reads in that version`
  b.rec.define({ id: 'rand', scenario, label: `${count.toLocaleString('en-US')} random ${size / 1024} KiB reads`, title: 'All reads, fresh mount, page cache dropped', unit: 's', better: 'lower' })
  const offsets = randomOffsets(count, big.contents[0].length, size)
  for (let rep = 0; rep < b.profile.heavyRepetitions; rep++) {
    for (const sys of b.mounts) {
      const { at, version } = pick(big, sys)
      await b.rec.attempt('rand', ['rand'], sys.info.id, rep, async () => await withMount(await sys.mount(big, [at]), async m => {
        await dropCaches()
        const r = await randomReads(m.path(at, big.key), offsets, size, b.profile.budgetMs)
        expectCount('bytes read', r.bytes, count * size)
        if (sys.info.id !== 'memfs') await verify(m.path(at, big.key), big.contents[version], offsets.slice(0, 5), size, b.profile.budgetMs)
        return { rand: r.seconds }
      }))
      if (at === 'latest') b.rec.note('rand', sys.info.id, LATEST_NOTE)
    }
    const direct = b.direct
    if (direct !== undefined) {
      await b.rec.attempt('rand', ['rand'], 'direct', rep, async () => {
        const url = direct.url(big.bucket, big.key, big.events[0].versionId)
        await dropCaches()
        const r = await direct.fetch(offsets.map(o => ({ url, range: [o, o + size] as [number, number] })), b.profile.budgetMs)
        expectCount('bytes fetched', r.bytes, count * size)
        return { rand: r.seconds }
      })
    }
  }
  if (b.direct !== undefined) b.rec.note('rand', 'direct', 'one ranged GET per read, one connection')
}

/** Mounts that together show every time in `times`: one, or one per time. */
async function mountAll (sys: MountSystem, big: BigDataset, times: At[]): Promise<Mounted[]> {
  if (sys.travel !== 'one-per-mount') return [await sys.mount(big, times)]
  const out: Mounted[] = []
  try {
    for (const t of times) out.push(await sys.mount(big, [t]))
  } catch (e) {
    for (const m of out) await m.unmount()
    throw e
  }
  return out
}

export async function parallel (b: Bench): Promise<void> {
  const { big } = b.data
  const readers = b.profile.readers
  const scenario = `6. ${readers} parallel readers of the ${big.contents.length} versions`
  b.rec.define({ id: 'par-tput', scenario, label: `${readers} readers: throughput`, title: 'Aggregate throughput', unit: 'MiB/s', better: 'higher' })
  b.rec.define({ id: 'par-rss', scenario, label: `${readers} readers: daemon peak RSS`, title: 'Peak RSS of the mount daemon(s) (VmHWM)', unit: 'MiB', better: 'lower' })
  const size = big.contents[0].length
  for (let rep = 0; rep < b.profile.heavyRepetitions; rep++) {
    for (const sys of b.mounts) {
      const at = (i: number): At => sys.travel === 'latest-only' ? 'latest' : big.times[i % big.times.length]
      const times = [...new Set([...Array(readers).keys()].map(at))]
      await b.rec.attempt('par', ['par-tput', 'par-rss'], sys.info.id, rep, async () => {
        const mounts = await mountAll(sys, big, times)
        try {
          const where = (i: number): string => {
            const t = at(i)
            return (mounts.length === 1 ? mounts[0] : mounts[times.indexOf(t)]).path(t, big.key)
          }
          await dropCaches()
          const start = performance.now()
          const done = await Promise.all([...Array(readers).keys()].map(async i => await ddRead(where(i), b.profile.budgetMs)))
          const seconds = (performance.now() - start) / 1000
          expectCount('bytes read', done.reduce((s, r) => s + r.bytes, 0), readers * size)
          const rss = mounts.flatMap(m => m.pids).reduce((s, pid) => s + peakRss(pid), 0)
          return { 'par-tput': mibPerSecond(readers * size, seconds), 'par-rss': rss / MiB }
        } finally {
          for (const m of mounts) await m.unmount()
        }
      })
      if (sys.travel === 'latest-only') b.rec.note('par-tput', sys.info.id, 'all readers read the latest version')
      if (sys.travel === 'one-per-mount') b.rec.note('par-rss', sys.info.id, `sum over its ${times.length} mounts, one per time`)
    }
    const direct = b.direct
    if (direct !== undefined) {
      await b.rec.attempt('par', ['par-tput'], 'direct', rep, async () => {
        await dropCaches()
        const start = performance.now()
        const done = await Promise.all([...Array(readers).keys()].map(async i =>
          await direct.fetch([{ url: direct.url(big.bucket, big.key, big.events[i % big.events.length].versionId) }], b.profile.budgetMs)))
        const seconds = (performance.now() - start) / 1000
        expectCount('bytes fetched', done.reduce((s, r) => s + r.bytes, 0), readers * size)
        return { 'par-tput': mibPerSecond(readers * size, seconds) }
      })
    }
  }
  if (b.direct !== undefined) b.rec.skip('par-rss', 'direct', 'no daemon')
}
