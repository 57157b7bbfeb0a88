import type { TimeSpec } from '../core/timespec.js'
import { orderHistory, type ListedVersion, type Version } from '../core/versions.js'
import { FOREVER } from './schema.js'
import type { Param } from './sql.js'

/** One row of infinstor_versions, less its bucket. */
export interface IndexRow {
  key: string
  validFrom: number
  /** Rank in the key's history: 0 is the newest entry. */
  ord: number
  validTo: number
  versionId: string
  size: number
  etag: string
  deleteMarker: boolean
}

/**
 * One key's rows from its listed entries (in any order): ordered newest
 * first as the live path orders them (LastModified, then IsLatest, then the
 * server's listing order), each valid until the next newer one was written.
 */
export function rowsOfKey (entries: readonly ListedVersion[]): IndexRow[] {
  const ordered = orderHistory([...entries])
  return ordered.map((v, i) => ({
    key: v.key,
    validFrom: v.lastModified,
    ord: i,
    validTo: i === 0 ? FOREVER : ordered[i - 1].lastModified,
    versionId: v.versionId,
    size: v.size,
    etag: v.etag,
    deleteMarker: v.deleteMarker
  }))
}

/** Rows of every key in a run of listed entries (a key's entries need not be adjacent). */
export function rowsOfEntries (entries: readonly ListedVersion[]): IndexRow[] {
  const byKey = new Map<string, ListedVersion[]>()
  for (const e of entries) {
    const list = byKey.get(e.key)
    if (list === undefined) byKey.set(e.key, [e])
    else list.push(e)
  }
  return [...byKey.values()].flatMap(rowsOfKey)
}

export function rowParams (bucketId: number, r: IndexRow): Param[] {
  return [bucketId, r.key, r.validFrom, r.ord, r.validTo, r.versionId, r.size, r.etag, r.deleteMarker ? 1 : 0]
}

/** The columns a Version is made from. */
export const VERSION_SELECT = 'key, valid_from, ord, version_id, size, etag, dm'

export interface VersionRecord {
  key: string
  valid_from: number
  ord: number
  version_id: string
  size: number
  etag: string
  dm: number
}

export function versionOf (r: VersionRecord): Version {
  return {
    key: r.key,
    versionId: r.version_id,
    lastModified: r.valid_from,
    size: r.size,
    etag: r.etag,
    deleteMarker: r.dm === 1,
    isLatest: r.ord === 0
  }
}

/**
 * The rows a view shows: per key, the entry current at the view's end,
 * unless it is a delete marker; a slice also drops entries written at or
 * before its start (core/versions.ts `select`).
 */
export function viewPredicate (spec: TimeSpec): { sql: string, params: Param[] } {
  switch (spec.kind) {
    case 'at': return { sql: 'valid_from <= ? AND valid_to > ? AND dm = 0', params: [spec.t, spec.t] }
    case 'slice': return { sql: 'valid_from <= ? AND valid_to > ? AND dm = 0 AND valid_from > ?', params: [spec.to, spec.to, spec.from] }
    case 'latest': return { sql: 'valid_to = ? AND dm = 0', params: [FOREVER] }
  }
}

/**
 * The least string above every string that starts with `prefix` (in UTF-8
 * byte order, which is code point order), or undefined when there is none.
 * UTF-8 is prefix-free and order-preserving, so bumping the last code point
 * is enough.
 */
export function prefixEnd (prefix: string): string | undefined {
  const points = Array.from(prefix)
  while (points.length > 0) {
    const last = (points.pop() as string).codePointAt(0) as number
    const next = last + 1 === 0xd800 ? 0xe000 : last + 1
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next)
  }
  return undefined
}

/** Per-bucket counts, as kept in infinstor_buckets and moved by each write. */
export interface Counts {
  versions: number
  deleteMarkers: number
  /** Keys whose newest entry is a version (not a marker), and their bytes. */
  liveObjects: number
  liveBytes: number
  /** Earliest versioned write (version id other than 'null'). */
  horizon?: number
}

export function countsOf (rows: readonly IndexRow[]): Counts {
  const c: Counts = { versions: 0, deleteMarkers: 0, liveObjects: 0, liveBytes: 0 }
  for (const r of rows) {
    if (r.deleteMarker) c.deleteMarkers++
    else c.versions++
    if (r.ord === 0 && !r.deleteMarker) { c.liveObjects++; c.liveBytes += r.size }
    if (r.versionId !== 'null' && (c.horizon === undefined || r.validFrom < c.horizon)) c.horizon = r.validFrom
  }
  return c
}
