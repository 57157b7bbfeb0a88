// Scenarios 3, 4 and 5: listings and many small files at past times.
import { snapshot, type Dataset } from '../datasets.js'
import { expectCount, onNetwork, perGiB, withCpu, type Bench } from '../measure.js'
import type { Network } from '../network.js'
import { dropCaches } from '../proc.js'
import { findStat, lsLong, readFiles } from '../readers.js'
import type { At, MountSystem } from '../systems/types.js'

/** The dataset's step at a time: `latest` is its last step. */
function stepOf (ds: Dataset, at: At): number {
  return at === 'latest' ? ds.times.length - 1 : ds.times.indexOf(at)
}

/** The time a system is measured at: the latest where it can show nothing else. */
function timeFor (sys: MountSystem, at: number): At {
  return sys.travel === 'latest-only' ? 'latest' : at
}

/** Entries `find` prints under `prefix` (itself included) at a step. */
function treeEntries (ds: Dataset, step: number, prefix: string): number {
  const dirs = new Set<string>([prefix])
  const keys = [...snapshot(ds, step).keys()].filter(k => k.startsWith(prefix))
  for (const k of keys) {
    for (let i = k.indexOf('/', prefix.length); i !== -1; i = k.indexOf('/', i + 1)) dirs.add(k.slice(0, i + 1))
  }
  return dirs.size + keys.length
}

export async function listing (b: Bench): Promise<void> {
  const { folder } = b.data
  const n = b.profile.lsTimes
  const files = b.profile.dirFiles.toLocaleString('en-US')
  const scenario = `3. \`ls -l\` of the ${files}-file folder`
  b.rec.define({ id: 'ls-cold', scenario, label: '`ls -l`, first (cold)', title: 'First listing, fresh mount, caches dropped', unit: 's', better: 'lower' })
  b.rec.define({ id: 'ls-times', scenario, label: `\`ls -l\` at ${n} times, mounts included`, title: `Then at ${n} other past times, in total (with rclone's mount per time)`, unit: 's', better: 'lower' })
  b.rec.define({ id: 'ls-times-only', scenario, label: `\`ls -l\` at ${n} times, listing only`, title: `The same ${n} listings, listing time only (mounting excluded)`, unit: 's', better: 'lower' })
  const first = folder.times[folder.times.length - 1]
  const times = folder.times.slice(1, 1 + n)
  const dir = folder.prefix.slice(0, -1)
  const want = (at: At): number => snapshot(folder, stepOf(folder, at)).size
  for (let rep = 0; rep < b.profile.repetitions; rep++) {
    for (const sys of b.mounts) {
      const id = sys.info.id
      const at0 = timeFor(sys, first)
      const perTime = sys.travel === 'any'
      const metrics = sys.travel === 'latest-only' ? ['ls-cold'] : ['ls-cold', 'ls-times', 'ls-times-only']
      await b.rec.attempt('ls', metrics, id, rep, async (): Promise<Record<string, number>> => {
        const m = await sys.mount(folder, perTime ? [at0, ...times] : [at0])
        try {
          await dropCaches()
          const r = await lsLong(m.path(at0, dir), b.profile.budgetMs)
          expectCount('entries', r.entries, want(at0))
          const cold = r.seconds
          if (!perTime) return { 'ls-cold': cold }
          let total = 0
          for (const t of times) {
            const r = await lsLong(m.path(t, dir), b.profile.budgetMs)
            expectCount(`entries at step ${stepOf(folder, t)}`, r.entries, want(t))
            total += r.seconds
          }
          return { 'ls-cold': cold, 'ls-times': total, 'ls-times-only': total }
        } finally {
          await m.unmount()
        }
      })
      if (sys.travel !== 'one-per-mount') continue
      await b.rec.attempt('ls', ['ls-times', 'ls-times-only'], id, rep, async () => {
        let total = 0
        let listing = 0
        for (const t of times) {
          const start = performance.now()
          const m = await sys.mount(folder, [t])
          try {
            const r = await lsLong(m.path(t, dir), b.profile.budgetMs)
            total += (performance.now() - start) / 1000
            listing += r.seconds
            expectCount(`entries at step ${stepOf(folder, t)}`, r.entries, want(t))
          } finally {
            await m.unmount()
          }
        }
        return { 'ls-times': total, 'ls-times-only': listing }
      })
    }
    const direct = b.direct
    if (direct !== undefined) {
      await b.rec.attempt('ls', ['ls-cold', 'ls-times', 'ls-times-only'], 'direct', rep, async () => {
        const cold = await direct.listVersions(folder.bucket, folder.prefix, '/')
        expectCount('versions listed', cold.entries, folder.events.length)
        let total = 0
        for (let i = 0; i < times.length; i++) total += (await direct.listVersions(folder.bucket, folder.prefix, '/')).seconds
        return { 'ls-cold': cold.seconds, 'ls-times': total, 'ls-times-only': total }
      })
    }
  }
  for (const sys of b.mounts) {
    if (sys.travel === 'latest-only') {
      b.rec.note('ls-cold', sys.info.id, 'latest state (no time travel)')
      for (const id of ['ls-times', 'ls-times-only']) b.rec.skip(id, sys.info.id, 'no time travel')
    }
    if (sys.travel === 'one-per-mount') b.rec.note('ls-times', sys.info.id, `a fresh mount per time, ${n} mounts`)
  }
  if (b.direct !== undefined) b.rec.note('ls-cold', 'direct', 'pages of ListObjectVersions, what a listing without an index costs per time')
}

export async function find (b: Bench): Promise<void> {
  const { tree } = b.data
  const count = b.data.tree.events.filter(e => e.step === 0).length.toLocaleString('en-US')
  const scenario = `4. \`find\` + stat of the ${count}-object tree at a past time`
  b.rec.define({ id: 'find', scenario, label: `find + stat of ${count} objects`, title: 'find -printf size and mtime of every entry, fresh mount', unit: 's', better: 'lower' })
  const dir = tree.prefix.slice(0, -1)
  for (let rep = 0; rep < b.profile.repetitions; rep++) {
    for (const sys of b.mounts) {
      const at = timeFor(sys, tree.times[0])
      await b.rec.attempt('find', ['find'], sys.info.id, rep, async () => {
        const m = await sys.mount(tree, [at])
        try {
          await dropCaches()
          const r = await findStat(m.path(at, dir), b.profile.budgetMs)
          expectCount('entries', r.entries, treeEntries(tree, stepOf(tree, at), tree.prefix))
          return { find: r.seconds }
        } finally {
          await m.unmount()
        }
      })
      if (at === 'latest') b.rec.note('find', sys.info.id, 'latest state (no time travel)')
    }
    const direct = b.direct
    if (direct !== undefined) {
      await b.rec.attempt('find', ['find'], 'direct', rep, async () => {
        const r = await direct.listVersions(tree.bucket, tree.prefix)
        expectCount('versions listed', r.entries, tree.events.length)
        return { find: r.seconds }
      })
    }
  }
  if (b.direct !== undefined) b.rec.note('find', 'direct', 'all pages of ListObjectVersions under the prefix')
}

export async function smallFiles (b: Bench, net: Network): Promise<void> {
  const { small } = b.data
  const count = b.profile.smallFiles.toLocaleString('en-US')
  const scenario = `5. Reading ${count} files of ${b.profile.smallBytes / 1024} KiB at a past time`
  const read = onNetwork(net, { id: 'small', scenario, label: `read ${count} small files`, title: 'Every file in turn, fresh mount, caches dropped' })
  const cpu = onNetwork(net, { id: 'small-cpu', scenario, label: `read ${count} small files: CPU per GiB`, title: 'CPU of the reads: daemon user + system per GiB read' })
  b.rec.define({ ...read, unit: 's', better: 'lower' })
  b.rec.define({ ...cpu, unit: 'CPU-s/GiB', better: 'lower' })
  for (let rep = 0; rep < b.profile.repetitions; rep++) {
    for (const sys of b.mounts) {
      const at = timeFor(sys, small.times[0])
      const files = [...snapshot(small, stepOf(small, at)).values()].sort((x, y) => x.key < y.key ? -1 : 1)
      const bytes = files.reduce((s, f) => s + f.size, 0)
      await b.rec.attempt(`small ${net.id}`, [read.id, cpu.id], sys.info.id, rep, async () => {
        const m = await sys.mount(small, [at])
        try {
          await dropCaches()
          const r = await withCpu(m.pids, async () => await readFiles(files.map(f => m.path(at, f.key)), b.profile.budgetMs))
          expectCount('bytes read', r.value.bytes, bytes)
          return { [read.id]: r.value.seconds, [cpu.id]: perGiB(r.cpu, bytes) }
        } finally {
          await m.unmount()
        }
      })
      if (at === 'latest') b.rec.note(read.id, sys.info.id, 'latest state (no time travel)')
    }
    const direct = b.direct
    if (direct !== undefined) {
      const files = [...snapshot(small, 0).values()]
      const bytes = files.reduce((s, f) => s + f.size, 0)
      await b.rec.attempt(`small ${net.id}`, [read.id, cpu.id], 'direct', rep, async () => {
        const r = await direct.fetch(files.map(f => ({ url: direct.url(small.bucket, f.key, f.versionId) })), b.profile.budgetMs)
        expectCount('bytes fetched', r.bytes, bytes)
        return { [read.id]: r.seconds, [cpu.id]: perGiB(r.cpu, bytes) }
      })
    }
  }
  if (b.direct !== undefined) b.rec.note(read.id, 'direct', 'one GET per file by version id, one connection')
}
