// Scenarios 1, 2 and 6: reading the big versioned file, under each network profile.
import type { BigDataset } from '../datasets.js'
import { expectCount, mibPerSecond, MiB, onNetwork, perGiB, withCpu, type Bench } from '../measure.js'
import type { Network } from '../network.js'
import { dropCaches, peakRss } from '../proc.js'
import { ddRead, randomOffsets, randomReads, sampleHashes, sha256 } from '../readers.js'
import type { At, Mounted, MountSystem } from '../systems/types.js'
import type { SystemId } from '../types.js'

const LATEST_NOTE = 'no time travel: reads the latest version, same size'
const MEMFS_NOTE = 'synthetic bytes, not checked'
const CPU = { unit: 'CPU-s/GiB', better: 'lower' as const }

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

export async function sequential (b: Bench, net: Network): Promise<void> {
  const { big } = b.data
  const scenario = `1. Sequential read of a past ${big.contents[0].length / MiB} MiB version`
  const cold = onNetwork(net, { id: 'seq-cold', scenario, label: 'cold sequential read', title: 'Cold read (fresh mount, page cache dropped)' })
  const cpu = onNetwork(net, { id: 'seq-cold-cpu', scenario, label: 'cold sequential read: CPU per GiB', title: 'CPU of the cold read: daemon user + system per GiB read' })
  // A warm re-read comes from the kernel's page cache: the network plays no part.
  const warm = net.id === 'loopback' ? { id: 'seq-warm', scenario, label: 'warm re-read', title: 'Warm re-read in the same mount' } : undefined
  b.rec.define({ ...cold, unit: 'MiB/s', better: 'higher' })
  b.rec.define({ ...cpu, ...CPU })
  if (warm !== undefined) b.rec.define({ ...warm, unit: 'MiB/s', better: 'higher' })
  const ids = [cold.id, cpu.id, ...(warm !== undefined ? [warm.id] : [])]
  const size = big.contents[0].length
  const checks = [0, Math.floor(size / 2), size - 65536]
  for (let rep = 0; rep < b.profile.repetitions; rep++) {
    for (const sys of b.mounts) {
      const { at, version } = pick(big, sys)
      await b.rec.attempt(`seq ${net.id}`, ids, sys.info.id, rep, async () => await withMount(await sys.mount(big, [at]), async m => {
        await dropCaches()
        const first = await withCpu(m.pids, async () => await ddRead(m.path(at, big.key), b.profile.budgetMs))
        expectCount('bytes read', first.value.bytes, size)
        const figures: Record<string, number> = {
          [cold.id]: mibPerSecond(size, first.value.seconds),
          [cpu.id]: perGiB(first.cpu, size)
        }
        if (warm !== undefined) {
          const again = await ddRead(m.path(at, big.key), b.profile.budgetMs)
          expectCount('bytes re-read', again.bytes, size)
          figures[warm.id] = mibPerSecond(size, again.seconds)
        }
        if (sys.info.id !== 'memfs') await verify(m.path(at, big.key), big.contents[version], checks, 65536, b.profile.budgetMs)
        return figures
      }))
      if (at === 'latest') for (const id of ids) b.rec.note(id, sys.info.id, LATEST_NOTE)
      if (sys.info.id === 'memfs') b.rec.note(cold.id, sys.info.id, MEMFS_NOTE)
    }
    const direct = b.direct
    if (direct !== undefined) {
      await b.rec.attempt(`seq ${net.id}`, ids, 'direct', rep, async () => {
        const url = direct.url(big.bucket, big.key, big.events[0].versionId)
        await dropCaches()
        const first = await direct.fetch([{ url }], b.profile.budgetMs)
        expectCount('bytes fetched', first.bytes, size)
        const figures: Record<string, number> = { [cold.id]: mibPerSecond(size, first.seconds), [cpu.id]: perGiB(first.cpu, size) }
        if (warm !== undefined) {
          const again = await direct.fetch([{ url }], b.profile.budgetMs)
          expectCount('bytes fetched', again.bytes, size)
          figures[warm.id] = mibPerSecond(size, again.seconds)
        }
        return figures
      })
    }
  }
  if (b.direct !== undefined) b.rec.note(cpu.id, 'direct', 'curl\'s own CPU')
}

export async function random (b: Bench, net: Network): Promise<void> {
  const { big } = b.data
  const { randomReads: count, randomReadBytes: size } = b.profile
  const scenario = `2. ${count.toLocaleString('en-US')} random ${size / 1024} KiB reads in that version`
  const label = `${count.toLocaleString('en-US')} random ${size / 1024} KiB reads`
  const rand = onNetwork(net, { id: 'rand', scenario, label, title: 'All reads, fresh mount, page cache dropped' })
  const cpu = onNetwork(net, { id: 'rand-cpu', scenario, label: `${label}: CPU per GiB`, title: 'CPU of the reads: daemon user + system per GiB read' })
  b.rec.define({ ...rand, unit: 's', better: 'lower' })
  b.rec.define({ ...cpu, ...CPU })
  const offsets = randomOffsets(count, big.contents[0].length, size)
  for (let rep = 0; rep < b.profile.heavyRepetitions; rep++) {
    for (const sys of b.mounts) {
      const { at, version } = pick(big, sys)
      await b.rec.attempt(`rand ${net.id}`, [rand.id, cpu.id], sys.info.id, rep, async () => await withMount(await sys.mount(big, [at]), async m => {
        await dropCaches()
        const r = await withCpu(m.pids, async () => await randomReads(m.path(at, big.key), offsets, size, b.profile.budgetMs))
        expectCount('bytes read', r.value.bytes, count * size)
        if (sys.info.id !== 'memfs') await verify(m.path(at, big.key), big.contents[version], offsets.slice(0, 5), size, b.profile.budgetMs)
        return { [rand.id]: r.value.seconds, [cpu.id]: perGiB(r.cpu, count * size) }
      }))
      if (at === 'latest') b.rec.note(rand.id, sys.info.id, LATEST_NOTE)
    }
    const direct = b.direct
    if (direct !== undefined) {
      await b.rec.attempt(`rand ${net.id}`, [rand.id, cpu.id], 'direct', rep, async () => {
        const url = direct.url(big.bucket, big.key, big.events[0].versionId)
        await dropCaches()
        const r = await direct.fetch(offsets.map(o => ({ url, range: [o, o + size] as [number, number] })), b.profile.budgetMs)
        expectCount('bytes fetched', r.bytes, count * size)
        return { [rand.id]: r.seconds, [cpu.id]: perGiB(r.cpu, count * size) }
      })
    }
  }
  if (b.direct !== undefined) b.rec.note(rand.id, 'direct', 'one ranged GET per read, one connection')
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

export async function parallel (b: Bench, net: Network): Promise<void> {
  const { big } = b.data
  const readers = b.profile.readers
  const scenario = `6. ${readers} parallel readers of the ${big.contents.length} versions`
  const tput = onNetwork(net, { id: 'par-tput', scenario, label: `${readers} readers: throughput`, title: 'Aggregate throughput' })
  const rss = onNetwork(net, { id: 'par-rss', scenario, label: `${readers} readers: daemon peak RSS`, title: 'Peak RSS of the mount daemon(s) (VmHWM)' })
  const cpu = onNetwork(net, { id: 'par-cpu', scenario, label: `${readers} readers: CPU per GiB`, title: 'CPU of the readers\' run: daemon user + system per GiB read' })
  // s3fs's readers all read one object; this row gives the others the same work.
  const one = onNetwork(net, { id: 'par-one-tput', scenario, label: `${readers} readers of one version: throughput`, title: 'Aggregate throughput when every reader reads the oldest version' })
  b.rec.define({ ...tput, unit: 'MiB/s', better: 'higher' })
  b.rec.define({ ...one, unit: 'MiB/s', better: 'higher' })
  b.rec.define({ ...rss, unit: 'MiB', better: 'lower' })
  b.rec.define({ ...cpu, ...CPU })
  const size = big.contents[0].length
  // What the readers cost S3: a reader of a version others read too should
  // cost nothing more, so a mount that shares reads sends about the versions'
  // bytes once (and s3fs, whose readers all read one version, a third of it).
  const versionsMiB = big.contents.length * size / MiB
  const sent = onNetwork(net, { id: 'par-sent', scenario, label: `${readers} readers: MiB S3 sent`, title: `What the S3 server sent during the readers' run (the ${big.contents.length} versions hold ${versionsMiB} MiB)` })
  const s3Sent = b.s3Sent
  if (s3Sent !== undefined) b.rec.define({ ...sent, unit: 'MiB', better: 'lower' })
  // memfs holds the versions in memory: S3 sends it nothing.
  const counted = (sys: SystemId): boolean => s3Sent !== undefined && sys !== 'memfs'
  /** Runs `fn`, and adds the MiB S3 sent meanwhile to its figures, when S3 counts them. */
  const counting = async (sys: SystemId, fn: () => Promise<Record<string, number>>): Promise<Record<string, number>> => {
    if (s3Sent === undefined || !counted(sys)) return await fn()
    const before = await s3Sent()
    const figures = await fn()
    return { ...figures, [sent.id]: (await s3Sent() - before) / MiB }
  }
  for (let rep = 0; rep < b.profile.heavyRepetitions; rep++) {
    for (const sys of b.mounts) {
      const oneVersion = sys.travel === 'latest-only'
      const at = (i: number): At => oneVersion ? 'latest' : big.times[i % big.times.length]
      const times = [...new Set([...Array(readers).keys()].map(at))]
      await b.rec.attempt(`par ${net.id}`, [tput.id, rss.id, cpu.id, ...(oneVersion ? [one.id] : []), ...(counted(sys.info.id) ? [sent.id] : [])], sys.info.id, rep, async () => {
        const mounts = await mountAll(sys, big, times)
        try {
          const where = (i: number): string => {
            const t = at(i)
            return (mounts.length === 1 ? mounts[0] : mounts[times.indexOf(t)]).path(t, big.key)
          }
          await dropCaches()
          const pids = mounts.flatMap(m => m.pids)
          return await counting(sys.info.id, async () => {
            const start = performance.now()
            const done = await withCpu(pids, async () =>
              await Promise.all([...Array(readers).keys()].map(async i => await ddRead(where(i), b.profile.budgetMs))))
            const seconds = (performance.now() - start) / 1000
            expectCount('bytes read', done.value.reduce((s, r) => s + r.bytes, 0), readers * size)
            const peak = pids.reduce((s, pid) => s + peakRss(pid), 0)
            const mibs = mibPerSecond(readers * size, seconds)
            return { [tput.id]: mibs, [rss.id]: peak / MiB, [cpu.id]: perGiB(done.cpu, readers * size), ...(oneVersion ? { [one.id]: mibs } : {}) }
          })
        } finally {
          for (const m of mounts) await m.unmount()
        }
      })
      if (!oneVersion) {
        await b.rec.attempt(`par-one ${net.id}`, [one.id], sys.info.id, rep, async () => {
          const t0 = big.times[0]
          const [mount] = await mountAll(sys, big, [t0])
          try {
            await dropCaches()
            const start = performance.now()
            const done = await Promise.all([...Array(readers).keys()].map(async () => await ddRead(mount.path(t0, big.key), b.profile.budgetMs)))
            const seconds = (performance.now() - start) / 1000
            expectCount('bytes read', done.reduce((s, r) => s + r.bytes, 0), readers * size)
            return { [one.id]: mibPerSecond(readers * size, seconds) }
          } finally {
            await mount.unmount()
          }
        })
      } else {
        b.rec.note(tput.id, sys.info.id, 'all readers read the latest version')
        if (s3Sent !== undefined) b.rec.note(sent.id, sys.info.id, 'its readers read one version')
        b.rec.note(one.id, sys.info.id, 'the run of the row above: its readers read one version in both')
      }
      if (s3Sent !== undefined && !counted(sys.info.id)) b.rec.skip(sent.id, sys.info.id, 'serves from memory: S3 sends it nothing')
      if (sys.travel === 'one-per-mount') b.rec.note(rss.id, sys.info.id, `sum over its ${times.length} mounts, one per time`)
    }
    const direct = b.direct
    if (direct !== undefined) {
      await b.rec.attempt(`par ${net.id}`, [tput.id, cpu.id, ...(counted('direct') ? [sent.id] : [])], 'direct', rep, async () => {
        await dropCaches()
        return await counting('direct', async () => {
          const start = performance.now()
          const done = await Promise.all([...Array(readers).keys()].map(async i =>
            await direct.fetch([{ url: direct.url(big.bucket, big.key, big.events[i % big.events.length].versionId) }], b.profile.budgetMs)))
          const seconds = (performance.now() - start) / 1000
          expectCount('bytes fetched', done.reduce((s, r) => s + r.bytes, 0), readers * size)
          return { [tput.id]: mibPerSecond(readers * size, seconds), [cpu.id]: perGiB(done.reduce((s, r) => s + r.cpu, 0), readers * size) }
        })
      })
    }
  }
  if (b.direct !== undefined) {
    b.rec.skip(rss.id, 'direct', 'no daemon')
    b.rec.skip(one.id, 'direct', 'not measured: direct GETs share nothing between readers')
  }
}
