import { horizonOf, type TimeSpec } from '../core/timespec.js'
import { sameVersion, type Change, type Version } from '../core/versions.js'
import { prefixEnd, VERSION_SELECT, versionOf, viewPredicate, type VersionRecord } from './rows.js'
import { Scan, type Clause, type Cursor } from './scan.js'
import type { Sql } from './sql.js'
import type { DirPage, FileEntry, IndexedBucket, IndexSummary, KeyHistory, Page, PageOptions } from './types.js'

const DEFAULT_LIMIT = 1000
/**
 * How long `covers` trusts a bucket's state it read: a sweep moves the
 * watermark rarely. A sweep from another endpoint waits this long after
 * taking the bucket over, so no reader still trusts the old state.
 */
export const STATE_TTL_MS = 1000

const SELECT: Clause = { sql: VERSION_SELECT, params: [] }

interface BucketRecord {
  id: number
  name: string
  versioning: string | null
  watermark: number | null
  last_sweep: number | null
  last_event: number | null
  versions: number
  delete_markers: number
  live_objects: number
  live_bytes: number
  horizon: number | null
  sweep_id: string | null
  sweep_owner: string | null
  sweep_started: number | null
  sweep_heartbeat: number | null
  sweep_marker: string | null
  sweep_pages: number
  sweep_versions: number
  sweep_markers: number
  endpoint: string | null
}

function bucketOf (r: BucketRecord): IndexedBucket {
  const opt = (v: number | null): number | undefined => v ?? undefined
  return {
    bucket: r.name,
    endpoint: r.endpoint ?? undefined,
    versioning: r.versioning ?? undefined,
    watermark: opt(r.watermark),
    lastSweep: opt(r.last_sweep),
    lastEvent: opt(r.last_event),
    versions: r.versions,
    deleteMarkers: r.delete_markers,
    liveObjects: r.live_objects,
    liveBytes: r.live_bytes,
    horizon: opt(r.horizon),
    sweep: r.sweep_id === null
      ? undefined
      : {
          pages: r.sweep_pages,
          versions: r.sweep_versions + r.sweep_markers,
          marker: r.sweep_marker ?? undefined,
          started: opt(r.sweep_started),
          owner: r.sweep_owner ?? undefined,
          heartbeat: opt(r.sweep_heartbeat)
        }
  }
}

/**
 * The index's read queries. Each takes the bucket by name and a view as a
 * TimeSpec, and answers in core's types; long answers come in pages, and
 * every statement reads a bounded number of rows (scan.ts).
 */
export class IndexReads {
  private readonly ids = new Map<string, number>()
  private readonly states = new Map<string, { at: number, state: IndexedBucket | undefined }>()

  /** The query layer, for maintenance and measurement; the engine needs only the methods. */
  constructor (readonly sql: Sql) {}

  /** A bucket's row id; ids never change once given. */
  protected async bucketId (name: string): Promise<number | undefined> {
    const known = this.ids.get(name)
    if (known !== undefined) return known
    const row = await this.sql.get<{ id: number }>('SELECT id FROM infinstor_buckets WHERE name = ?', [name])
    if (row !== undefined) this.ids.set(name, row.id)
    return row?.id
  }

  async buckets (): Promise<IndexedBucket[]> {
    return (await this.sql.all<BucketRecord>('SELECT * FROM infinstor_buckets ORDER BY name')).map(bucketOf)
  }

  async bucket (name: string): Promise<IndexedBucket | undefined> {
    const row = await this.sql.get<BucketRecord>('SELECT * FROM infinstor_buckets WHERE name = ?', [name])
    const state = row === undefined ? undefined : bucketOf(row)
    this.states.set(name, { at: Date.now(), state })
    return state
  }

  async covers (bucket: string, spec: TimeSpec, endpoint: string): Promise<boolean> {
    const cached = this.states.get(bucket)
    const state = cached !== undefined && Date.now() - cached.at < STATE_TTL_MS ? cached.state : await this.bucket(bucket)
    return state?.watermark !== undefined && state.versioning === 'Enabled' && state.endpoint === endpoint &&
      horizonOf(spec) <= state.watermark
  }

  async stat (bucket: string, key: string, spec: TimeSpec): Promise<Version | undefined> {
    const id = await this.bucketId(bucket)
    if (id === undefined) return undefined
    const view = viewPredicate(spec)
    const row = await this.sql.get<VersionRecord>(
      `SELECT ${VERSION_SELECT} FROM infinstor_versions WHERE bucket = ? AND key = ? AND ${view.sql}`, [id, key, ...view.params])
    return row === undefined ? undefined : versionOf(row)
  }

  async history (bucket: string, key: string): Promise<{ versions: Version[], isDir: boolean }> {
    const id = await this.bucketId(bucket)
    if (id === undefined) return { versions: [], isDir: false }
    const rows = await this.sql.all<VersionRecord>(
      `SELECT ${VERSION_SELECT} FROM infinstor_versions WHERE bucket = ? AND key = ? ORDER BY ord`, [id, key])
    const dir = key + '/'
    const below = await this.sql.get(
      'SELECT 1 AS hit FROM infinstor_versions WHERE bucket = ? AND key >= ? AND key < ? LIMIT 1', [id, dir, prefixEnd(dir) as string])
    return { versions: rows.map(versionOf), isDir: below !== undefined }
  }

  /**
   * Skip-scan: live rows in key order; a file directly under `prefix` is
   * kept, and the first live row inside a subdirectory proves that
   * subdirectory, after which the scan jumps past its whole subtree.
   */
  async readDir (bucket: string, prefix: string, spec: TimeSpec, page: PageOptions = {}): Promise<DirPage> {
    const out: DirPage = { files: [], dirs: [] }
    const id = await this.bucketId(bucket)
    if (id === undefined) return out
    const limit = page.limit ?? DEFAULT_LIMIT
    const after = page.after
    const start: Cursor = after === undefined
      ? { key: prefix, inclusive: true }
      : after.endsWith('/') && after.length > prefix.length
        ? { key: prefixEnd(after) as string, inclusive: true }
        : { key: after, inclusive: false }
    const scan = new Scan(this.sql, id, start, prefixEnd(prefix))
    const view = viewPredicate(spec)
    let batch = 1
    while (!scan.done) {
      const rows = await scan.next<VersionRecord>(SELECT, view, batch)
      let jumped = false
      for (const r of rows) {
        if (r.key === prefix) {
          out.marker = versionOf(r)
          continue
        }
        const rest = r.key.slice(prefix.length)
        const slash = rest.indexOf('/')
        if (slash < 0) {
          out.files.push({ seg: rest, key: r.key, version: versionOf(r) })
        } else {
          const dir = prefix + rest.slice(0, slash + 1)
          out.dirs.push({ seg: rest.slice(0, slash), prefix: dir })
          scan.jump({ key: prefixEnd(dir) as string, inclusive: true })
          jumped = true
        }
        if (out.files.length + out.dirs.length === limit) {
          out.next = slash < 0 ? r.key : prefix + rest.slice(0, slash + 1)
          return out
        }
        if (jumped) break
      }
      // Files come in runs: read more at once while they last; after a subdirectory, one row proves the next.
      batch = jumped ? 1 : Math.min(batch * 8, DEFAULT_LIMIT)
    }
    return out
  }

  async dirExists (bucket: string, prefix: string, spec: TimeSpec): Promise<boolean> {
    const id = await this.bucketId(bucket)
    if (id === undefined) return false
    const scan = new Scan(this.sql, id, { key: prefix, inclusive: true }, prefixEnd(prefix))
    const view = viewPredicate(spec)
    while (!scan.done) {
      if ((await scan.next(SELECT, view, 1)).length > 0) return true
    }
    return false
  }

  async walk (bucket: string, prefix: string, spec: TimeSpec, page: PageOptions = {}): Promise<Page<FileEntry>> {
    const items: FileEntry[] = []
    const id = await this.bucketId(bucket)
    if (id === undefined) return { items }
    const limit = page.limit ?? DEFAULT_LIMIT
    const start = page.after === undefined ? { key: prefix, inclusive: true } : { key: page.after, inclusive: false }
    const scan = new Scan(this.sql, id, start, prefixEnd(prefix))
    const view = viewPredicate(spec)
    while (!scan.done && items.length < limit) {
      for (const r of await scan.next<VersionRecord>(SELECT, view, limit - items.length)) {
        items.push({ seg: r.key.slice(prefix.length), key: r.key, version: versionOf(r) })
      }
    }
    return { items, next: items.length === limit ? items[limit - 1].key : undefined }
  }

  /** Rows shown by either view, a key's two side by side: what diffHistories compares. */
  async diff (bucket: string, a: TimeSpec, b: TimeSpec, prefix: string, page: PageOptions = {}): Promise<Page<Change>> {
    const items: Change[] = []
    const id = await this.bucketId(bucket)
    if (id === undefined) return { items }
    const limit = page.limit ?? DEFAULT_LIMIT
    const start = page.after === undefined ? { key: prefix, inclusive: true } : { key: page.after, inclusive: false }
    const scan = new Scan(this.sql, id, start, prefixEnd(prefix))
    const va = viewPredicate(a)
    const vb = viewPredicate(b)
    const select: Clause = {
      sql: `${VERSION_SELECT}, CASE WHEN ${va.sql} THEN 1 ELSE 0 END AS in_a, CASE WHEN ${vb.sql} THEN 1 ELSE 0 END AS in_b`,
      params: [...va.params, ...vb.params]
    }
    const either: Clause = { sql: `(${va.sql}) OR (${vb.sql})`, params: [...va.params, ...vb.params] }
    type Both = VersionRecord & { in_a: number, in_b: number }
    while (!scan.done && items.length < limit) {
      const rows = await scan.next<Both>(select, either, 2 * (limit - items.length) + 2, true)
      for (let i = 0; i < rows.length;) {
        const key = rows[i].key
        let before: Version | undefined
        let after: Version | undefined
        for (; i < rows.length && rows[i].key === key; i++) {
          if (rows[i].in_a === 1) before = versionOf(rows[i])
          if (rows[i].in_b === 1) after = versionOf(rows[i])
        }
        if (before === undefined && after !== undefined) items.push({ key, kind: 'added', after })
        else if (before !== undefined && after === undefined) items.push({ key, kind: 'deleted', before })
        else if (before !== undefined && after !== undefined && !sameVersion(before, after)) items.push({ key, kind: 'modified', before, after })
      }
    }
    // A batch may end past the limit: keep exactly `limit`, and continue after the last one kept.
    if (items.length >= limit) {
      items.length = limit
      return { items, next: items[limit - 1].key }
    }
    return { items }
  }

  async histories (bucket: string, prefix: string, page: PageOptions = {}): Promise<Page<KeyHistory>> {
    const items: KeyHistory[] = []
    const id = await this.bucketId(bucket)
    if (id === undefined) return { items }
    const limit = page.limit ?? DEFAULT_LIMIT
    const start = page.after === undefined ? { key: prefix, inclusive: true } : { key: page.after, inclusive: false }
    const scan = new Scan(this.sql, id, start, prefixEnd(prefix))
    for (let range = await scan.nextRange(); range !== undefined && items.length < limit; range = await scan.nextRange()) {
      const rows = await this.sql.all<VersionRecord>(
        `SELECT ${VERSION_SELECT} FROM infinstor_versions WHERE ${range.sql} ORDER BY key, ord`, range.params)
      for (const r of rows) {
        const last = items[items.length - 1]
        if (last?.key === r.key) last.versions.push(versionOf(r))
        else items.push({ key: r.key, versions: [versionOf(r)] })
      }
    }
    if (items.length >= limit) {
      items.length = limit
      return { items, next: items[limit - 1].key }
    }
    return { items }
  }

  async summary (bucket: string, t: number): Promise<IndexSummary> {
    const s: IndexSummary = { liveObjects: 0, liveBytes: 0, versions: 0, deleteMarkers: 0 }
    const id = await this.bucketId(bucket)
    if (id === undefined) return s
    const scan = new Scan(this.sql, id, undefined, undefined)
    const live = 'valid_from <= ? AND valid_to > ? AND dm = 0'
    for (let range = await scan.nextRange(); range !== undefined; range = await scan.nextRange()) {
      const r = await this.sql.get<{ live: number | null, bytes: number | null, versions: number | null, markers: number | null, horizon: number | null }>(
        `SELECT SUM(CASE WHEN ${live} THEN 1 ELSE 0 END) AS live, SUM(CASE WHEN ${live} THEN size ELSE 0 END) AS bytes,
          SUM(CASE WHEN valid_from <= ? AND dm = 0 THEN 1 ELSE 0 END) AS versions,
          SUM(CASE WHEN valid_from <= ? AND dm = 1 THEN 1 ELSE 0 END) AS markers,
          MIN(CASE WHEN valid_from <= ? AND version_id <> 'null' THEN valid_from END) AS horizon
        FROM infinstor_versions WHERE ${range.sql}`, [t, t, t, t, t, t, t, ...range.params])
      if (r === undefined) continue
      s.liveObjects += Number(r.live ?? 0)
      s.liveBytes += Number(r.bytes ?? 0)
      s.versions += Number(r.versions ?? 0)
      s.deleteMarkers += Number(r.markers ?? 0)
      if (r.horizon !== null && (s.horizon === undefined || r.horizon < s.horizon)) s.horizon = r.horizon
    }
    return s
  }
}
