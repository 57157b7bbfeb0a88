import type { Param, Sql } from './sql.js'

/** Where a scan continues: at a key, or just past it. */
export interface Cursor { key: string, inclusive: boolean }

export interface Clause { sql: string, params: Param[] }

const FIRST_WINDOW = 16
/** Rows one statement may step over: a few milliseconds of SQLite's time. */
export const MAX_WINDOW = 16_384

/**
 * Walks one bucket's rows in key order. In SQLite it goes in windows of a
 * bounded number of rows, so that no statement runs long however many rows
 * a view skips (better-sqlite3 blocks the process while a statement runs).
 * A window ends on a key boundary: it holds every row of its last key.
 * Windows start small (the next live row is usually near) and grow
 * fourfold while a scan goes on. PostgreSQL runs statements in its own
 * processes, so a long one stalls nobody: there a window is the whole rest
 * of the range, and each step is one round trip.
 */
export class Scan {
  private from: Cursor | undefined
  private window = FIRST_WINDOW
  done = false

  constructor (private readonly sql: Sql, private readonly bucket: number, from: Cursor | undefined,
    private readonly end: string | undefined) {
    this.from = from
  }

  /** Continues somewhere else (e.g. past a subdirectory), with a small window again. */
  jump (to: Cursor): void {
    this.from = to
    this.window = FIRST_WINDOW
    this.done = false
  }

  private lower (): Clause {
    if (this.from === undefined) return { sql: '', params: [] }
    return { sql: this.from.inclusive ? ' AND key >= ?' : ' AND key > ?', params: [this.from.key] }
  }

  /** The next window's key range (always past the cursor), and whether it reaches the end of the scan. */
  private async nextWindow (size: number): Promise<{ range: Clause, top?: string }> {
    const lower = this.lower()
    const upper: Clause = this.end === undefined ? { sql: '', params: [] } : { sql: ' AND key < ?', params: [this.end] }
    if (this.sql.dialect === 'postgres') return { range: { sql: `bucket = ?${lower.sql}${upper.sql}`, params: [this.bucket, ...lower.params, ...upper.params] } }
    const top = await this.sql.get<{ key: string }>(
      `SELECT key FROM infinstor_versions WHERE bucket = ?${lower.sql}${upper.sql} ORDER BY key LIMIT 1 OFFSET ?`,
      [this.bucket, ...lower.params, ...upper.params, size - 1])
    const bound = top === undefined ? upper : { sql: ' AND key <= ?', params: [top.key] }
    return { range: { sql: `bucket = ?${lower.sql}${bound.sql}`, params: [this.bucket, ...lower.params, ...bound.params] }, top: top?.key }
  }

  private advance (top: string | undefined): void {
    if (top === undefined) {
      this.done = true
    } else {
      this.from = { key: top, inclusive: false }
      this.window = Math.min(this.window * 4, MAX_WINDOW)
    }
  }

  /**
   * Rows of the next window that match `where`, in key order, at most
   * `limit`. With `wholeKeys`, a batch cut short by the limit gives back its
   * last key's rows (read again next time), so no key is split.
   */
  async next<T extends { key: string }> (select: Clause, where: Clause, limit: number, wholeKeys = false): Promise<T[]> {
    if (this.done) return []
    const { range, top } = await this.nextWindow(this.window)
    const rows = await this.sql.all<T>(
      `SELECT ${select.sql} FROM infinstor_versions WHERE ${range.sql} AND (${where.sql}) ORDER BY key LIMIT ?`,
      [...select.params, ...range.params, ...where.params, limit])
    if (rows.length < limit) {
      this.advance(top)
      return rows
    }
    const last = rows[rows.length - 1].key
    if (wholeKeys && rows[0].key !== last) {
      while (rows[rows.length - 1].key === last) rows.pop()
      this.from = { key: last, inclusive: true }
    } else {
      this.from = { key: last, inclusive: false }
    }
    return rows
  }

  /** The next whole window (as large as allowed) as a WHERE clause, for aggregates over every row. */
  async nextRange (): Promise<Clause | undefined> {
    if (this.done) return undefined
    const { range, top } = await this.nextWindow(MAX_WINDOW)
    this.advance(top)
    return range
  }
}
