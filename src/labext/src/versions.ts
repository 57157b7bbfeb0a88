import type { LogEntry } from './api.js'

/**
 * A key's history as the version list shows it (pure). The drive reaches a
 * version only through a time, `@<its LastModified>`, and at a time the
 * newest entry of that second wins (S3's listing order): an older version
 * written in the same second as a newer one cannot be opened by time.
 */
export interface VersionRow extends LogEntry {
  t: number
  /** Whether `@<lastModified>` shows exactly this version. */
  reachable: boolean
  /** Whether this is the version in effect in the view on display. */
  current: boolean
}

/** Rows for a log (newest first), marking what the view at `viewTime` shows (Infinity: latest). */
export function versionRows (entries: readonly LogEntry[], viewTime: number): VersionRow[] {
  const seen = new Set<number>()
  let currentFound = false
  return entries.map(e => {
    const t = Date.parse(e.lastModified)
    const reachable = !e.deleted && !seen.has(t)
    seen.add(t)
    // The view shows the newest entry at or before its time; a delete marker there means nothing is shown.
    const inEffect = !currentFound && t <= viewTime
    if (inEffect) currentFound = true
    return { ...e, t, reachable, current: inEffect && !e.deleted }
  })
}

/** The version before row `index` that has content and can be opened; undefined when there is none. */
export function previousOf (rows: readonly VersionRow[], index: number): VersionRow | undefined {
  return rows.slice(index + 1).find(r => r.reachable)
}
