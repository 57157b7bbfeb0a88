// A synthetic history for the index benchmarks: rows made up and inserted
// straight into an index (no S3), as moto cannot hold millions of versions.
// The same seed gives the same rows, so runs and scripts compare.
import { randomBytes } from 'node:crypto'
import type { IndexStore } from '../../../src/index/open.js'
import { FOREVER, VERSION_COLUMNS } from '../../../src/index/schema.js'
import type { Param } from '../../../src/index/sql.js'
import { rng } from '../../../test/helpers/random.js'

/** Files per folder: a late listing of one still has more than 1,000 live entries. */
export const PER_FOLDER = 1100
export const DAY = 86_400_000
export const START = Date.UTC(2025, 0, 1)
export const END = START + 365 * DAY

const pad = (n: number, w: number): string => String(n).padStart(w, '0')
export const folderOf = (i: number): string => `ds/p${pad(Math.floor(i / PER_FOLDER), 4)}/`
export const keyOf = (i: number): string => `${folderOf(i)}f${pad(i % PER_FOLDER, 4)}.parquet`
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const vid = (r: () => number): string => Array.from({ length: 32 }, () => ALPHABET[Math.floor(r() * 62)]).join('')

/** One key's rows: 1 to 9 entries (5 on average) over the year, a few of them delete markers. */
function rowsOf (bucket: number, i: number, r: () => number): Param[][] {
  const n = 1 + Math.floor(r() * 9)
  const born = START + Math.floor(r() * 300) * DAY
  const times = Array.from({ length: n }, () => born + Math.floor(r() * (END - born) / 1000) * 1000).sort((a, b) => b - a)
  times[times.length - 1] = born
  return times.map((t, ord) => {
    const dm = ord < n - 1 && r() < 0.08 ? 1 : 0
    return [bucket, keyOf(i), t, ord, ord === 0 ? FOREVER : times[ord - 1], vid(r), dm === 1 ? 0 : Math.floor(r() * 1e8),
      dm === 1 ? '' : `"${randomBytes(16).toString('hex')}"`, dm]
  })
}

/**
 * Fills `bucket` with `keys` keys' made-up histories, recorded as swept
 * from `endpoint` up to END. Returns the rows and the seconds the inserts
 * took (making up the rows is not timed).
 */
export async function loadSynthetic (store: IndexStore, bucket: string, endpoint: string, keys: number,
  progress: (rows: number) => void = () => {}): Promise<{ rows: number, seconds: number }> {
  const id = await store.writes.ensureBucket(bucket, endpoint)
  await store.sql.run("UPDATE infinstor_buckets SET versioning = 'Enabled', watermark = ?, last_sweep = ?, horizon = ? WHERE id = ?", [END, END, START, id])
  const r = rng(1)
  let ms = 0
  let rows = 0
  let reported = 0
  for (let i = 0; i < keys;) {
    const batch: Param[][] = []
    for (; i < keys && batch.length < 20_000; i++) batch.push(...rowsOf(id, i, r))
    const t0 = performance.now()
    await store.sql.transaction(async tx => { await tx.insertMany('infinstor_versions', VERSION_COLUMNS, batch) })
    ms += performance.now() - t0
    rows += batch.length
    if (rows - reported >= 1_000_000) {
      reported = rows
      progress(rows)
    }
  }
  return { rows, seconds: ms / 1000 }
}
