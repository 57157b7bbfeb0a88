import { formatInstant, type TimeSpec } from './timespec.js'

/** A bucket's versioning: 'Off' means it never had any, so it keeps no history. */
export type VersioningState = 'Enabled' | 'Suspended' | 'Off'

/** One entry of ListObjectVersions: a version or a delete marker. */
export interface Version {
  key: string
  /** 'null' for objects written while versioning was off. */
  versionId: string
  /** LastModified in ms since the epoch. */
  lastModified: number
  size: number
  etag: string
  deleteMarker: boolean
  isLatest: boolean
}

/** A version as every JSON surface shows it (CLI --json, the HTTP API). */
export interface VersionJson {
  key: string
  versionId: string
  size: number
  /** ISO 8601, UTC. */
  lastModified: string
  etag: string
  deleteMarker: boolean
}

export function versionJson (v: Version): VersionJson {
  return {
    key: v.key,
    versionId: v.versionId,
    size: v.size,
    lastModified: formatInstant(v.lastModified),
    etag: v.etag,
    deleteMarker: v.deleteMarker
  }
}

/** A version plus its position in the server's listing (lower is listed first). */
export interface ListedVersion extends Version {
  position: number
}

/**
 * Orders one key's entries newest first: by LastModified, then the entry S3
 * flags as latest, then the server's listing order. Never by version id: ids
 * are opaque (random UUIDs on some servers). IsLatest matters because some
 * servers list versions and delete markers in two runs rather than
 * interleaved, so the listing order alone can put a marker after an older
 * version written in the same second.
 */
export function orderHistory (entries: ListedVersion[]): Version[] {
  return [...entries]
    .sort((a, b) => (b.lastModified - a.lastModified) ||
      (Number(b.isLatest) - Number(a.isLatest)) ||
      (a.position - b.position))
    .map(({ position, ...v }) => v)
}

/** The entry in effect at time t: the newest with LastModified <= t. */
export function versionAt (history: readonly Version[], t: number): Version | undefined {
  return history.find(v => v.lastModified <= t)
}

/**
 * The version a view shows for one key, or undefined when the key is absent
 * from the view. A snapshot shows what is live at T. A slice shows what is
 * live at its end and was written after its start.
 */
export function select (history: readonly Version[], spec: TimeSpec): Version | undefined {
  const end = spec.kind === 'latest' ? Infinity : spec.kind === 'at' ? spec.t : spec.to
  const v = versionAt(history, end)
  if (v === undefined || v.deleteMarker) return undefined
  if (spec.kind === 'slice' && v.lastModified <= spec.from) return undefined
  return v
}

/** Groups a listing's entries by key, each key's history ordered newest first. */
export function groupHistories (entries: ListedVersion[]): Map<string, Version[]> {
  const byKey = new Map<string, ListedVersion[]>()
  for (const e of entries) {
    const list = byKey.get(e.key)
    if (list === undefined) byKey.set(e.key, [e])
    else list.push(e)
  }
  const out = new Map<string, Version[]>()
  for (const [key, list] of byKey) out.set(key, orderHistory(list))
  return out
}

export interface Change {
  key: string
  kind: 'added' | 'modified' | 'deleted'
  before?: Version
  after?: Version
}

/** What changed between two views of the same keys, in key order. */
export function diffHistories (histories: Map<string, readonly Version[]>, a: TimeSpec, b: TimeSpec): Change[] {
  const out: Change[] = []
  for (const key of [...histories.keys()].sort(compareKeys)) {
    const h = histories.get(key) as Version[]
    const before = select(h, a)
    const after = select(h, b)
    if (before === undefined && after !== undefined) out.push({ key, kind: 'added', after })
    else if (before !== undefined && after === undefined) out.push({ key, kind: 'deleted', before })
    else if (before !== undefined && after !== undefined && !sameVersion(before, after)) {
      out.push({ key, kind: 'modified', before, after })
    }
  }
  return out
}

/**
 * A suspended bucket overwrites its 'null' version in place, so the id alone
 * does not identify the bytes.
 */
export function sameVersion (a: Version, b: Version): boolean {
  return a.versionId === b.versionId && a.lastModified === b.lastModified && a.etag === b.etag
}

/** S3 orders keys by their UTF-8 bytes; JS strings compare by UTF-16 units. */
export function compareKeys (a: string, b: string): number {
  if (a === b) return 0
  const ea = utf8(a)
  const eb = utf8(b)
  const n = Math.min(ea.length, eb.length)
  for (let i = 0; i < n; i++) if (ea[i] !== eb[i]) return ea[i] - eb[i]
  return ea.length - eb.length
}

const encoder = new TextEncoder()
function utf8 (s: string): Uint8Array { return encoder.encode(s) }
