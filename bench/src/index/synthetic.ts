// History index query scaling on a SYNTHETIC index: rows are generated and
// inserted directly (no S3), as moto cannot hold millions of versions.
// node bench/.work/dist/bench/src/index/synthetic.js [--keys 1000000] [--engines sqlite,postgres] [--out FILE.json]
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { TimeSpec } from '../../../src/core/timespec.js'
import { openIndex, type IndexStore } from '../../../src/index/open.js'
import { startPostgres } from '../../../test/helpers/postgres.js'
import { rng } from '../../../test/helpers/random.js'
import { DAY, END, folderOf, keyOf, loadSynthetic, PER_FOLDER, START } from './generate.js'
import { WORK } from '../paths.js'
import { median } from '../stats.js'

const { values: flags } = parseArgs({
  options: { keys: { type: 'string', default: '1000000' }, engines: { type: 'string', default: 'sqlite,postgres' }, out: { type: 'string' } }
})
const KEYS = Number(flags.keys)
const BUCKET = 'synthetic'

const log = (line: string): void => { process.stderr.write(`index-bench: ${line}\n`) }

async function bytes (store: IndexStore, file: string | undefined): Promise<number> {
  if (file !== undefined) {
    await store.sql.get('PRAGMA wal_checkpoint(TRUNCATE)')
    return statSync(file).size
  }
  const r = await store.sql.get<{ n: number }>("SELECT pg_total_relation_size('infinstor_versions') AS n")
  return Number(r?.n)
}

interface Timing { medianMs: number, p95Ms: number, runs: number, note?: string }

async function time (runs: number, fn: (i: number) => Promise<unknown>): Promise<Timing> {
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await fn(i)
    ms.push(performance.now() - t0)
  }
  const sorted = [...ms].sort((a, b) => a - b)
  return { medianMs: median(ms), p95Ms: sorted[Math.floor(sorted.length * 0.95)], runs }
}

async function queries (store: IndexStore): Promise<Record<string, Timing>> {
  const r = rng(2)
  const at = (t: number): TimeSpec => ({ kind: 'at', t })
  const late = at(END - DAY)
  const folders = Math.ceil(KEYS / PER_FOLDER)
  const out: Record<string, Timing> = {}
  // Warm the caches a little, as a running daemon would have them.
  for (let i = 0; i < 200; i++) await store.stat(BUCKET, keyOf(Math.floor(r() * KEYS)), late)
  out.keyAtT = await time(5000, async () => await store.stat(BUCKET, keyOf(Math.floor(r() * KEYS)), at(START + Math.floor(r() * 365) * DAY)))
  let entries = 0
  out.folder1000AtT = await time(100, async () => {
    const page = await store.readDir(BUCKET, folderOf(Math.floor(r() * (folders - 1)) * PER_FOLDER), late, { limit: 1000 })
    entries = page.files.length + page.dirs.length
  })
  out.folder1000AtT.note = `${entries} entries`
  let dirs = 0
  out.subfoldersAtT = await time(10, async () => { dirs = (await store.readDir(BUCKET, 'ds/', late, { limit: 1000 })).dirs.length })
  out.subfoldersAtT.note = `${dirs} folders by skip-scan`
  out.subfoldersEarly = await time(3, async () => { dirs = (await store.readDir(BUCKET, 'ds/', at(START + 10 * DAY), { limit: 1000 })).dirs.length })
  out.subfoldersEarly.note = `${dirs} folders at day 10, when most rows are not yet live (scans past them)`
  out.dirExists = await time(1000, async () => await store.dirExists(BUCKET, folderOf(Math.floor(r() * (folders - 1)) * PER_FOLDER), at(START + Math.floor(r() * 365) * DAY)))
  let live = 0
  out.walkAllAtT = await time(2, async () => {
    live = 0
    let after: string | undefined
    do {
      const page = await store.walk(BUCKET, '', late, { after, limit: 5000 })
      live += page.items.length
      after = page.next
    } while (after !== undefined)
  })
  out.walkAllAtT.note = `${live.toLocaleString('en-US')} live keys`
  let sliced = 0
  out.slice30Days = await time(2, async () => {
    sliced = 0
    let after: string | undefined
    do {
      const page = await store.walk(BUCKET, '', { kind: 'slice', from: END - 31 * DAY, to: END - DAY }, { after, limit: 5000 })
      sliced += page.items.length
      after = page.next
    } while (after !== undefined)
  })
  out.slice30Days.note = `${sliced.toLocaleString('en-US')} keys written in the 30 days and live at the end`
  return out
}

const results: Record<string, unknown> = { synthetic: true, keys: KEYS, loadavgBefore: loadavg() }
const dir = join(WORK, 'index-synthetic')
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
const teardowns: Array<() => unknown> = []
try {
  for (const engine of (flags.engines ?? '').split(',')) {
    let setting: string
    let file: string | undefined
    if (engine === 'sqlite') {
      setting = file = join(dir, 'index.sqlite')
    } else {
      const pg = await startPostgres({ teardown: fn => { teardowns.push(fn) } }, { durable: true })
      setting = await pg.database('synthetic')
    }
    const store = await openIndex(setting, { create: true }) as IndexStore
    log(`${engine}: loading ${KEYS.toLocaleString('en-US')} keys`)
    // Synthetic rows belong to no real server: a made-up endpoint, so no engine ever serves them.
    const loaded = await loadSynthetic(store, BUCKET, 'synthetic:', KEYS, rows => { log(`${engine}: ${rows.toLocaleString('en-US')} rows`) })
    if (engine === 'postgres') await store.sql.run('VACUUM ANALYZE infinstor_versions')
    else await store.sql.run('ANALYZE')
    const size = await bytes(store, file)
    log(`${engine}: ${loaded.rows.toLocaleString('en-US')} rows in ${loaded.seconds.toFixed(1)} s; measuring`)
    results[engine] = {
      rows: loaded.rows,
      loadRowsPerSecond: Math.round(loaded.rows / loaded.seconds),
      bytes: size,
      bytesPerVersion: Math.round(size / loaded.rows),
      queries: await queries(store),
      loadavg: loadavg()
    }
    await store.close()
    if (file !== undefined) rmSync(dir, { recursive: true, force: true })
  }
} finally {
  for (const fn of teardowns) await fn()
}
const text = JSON.stringify(results, null, 2)
if (flags.out !== undefined) writeFileSync(flags.out, text + '\n')
process.stdout.write(text + '\n')
