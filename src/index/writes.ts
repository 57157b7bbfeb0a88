import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { InfinError } from '../core/errors.js'
import { countsOf, rowParams, type Counts, type IndexRow } from './rows.js'
import { VERSION_COLUMNS } from './schema.js'
import type { Param, Sql, Statements } from './sql.js'

/** A sweep owned by a process on another host is taken over once it has been silent this long. */
const FOREIGN_SWEEP_SILENCE_MS = 120_000

/** This process's sweep, as the index records it. */
export interface SweepClaim {
  bucket: string
  bucketId: number
  sweepId: string
  owner: string
  /** The last key whose rows are committed; the listing resumes after it. */
  marker?: string
  /** Server time the sweep began (earlier than every page it listed); set with its first page. */
  started?: number
  resumed: boolean
  /** The bucket's history in the index came from another endpoint (or an unknown one) and was dropped from service. */
  reset: boolean
}

interface Sets { sql: string[], params: Param[] }

/** `column = least(source, v)` with NULL as "none", in SQL both engines speak. */
function minInto (sets: Sets, column: string, v: number | undefined, source = column): void {
  if (v === undefined) {
    if (source !== column) sets.sql.push(`${column} = ${source}`)
    return
  }
  sets.sql.push(`${column} = CASE WHEN ${source} IS NULL OR ${source} > ? THEN ? ELSE ${source} END`)
  sets.params.push(v, v)
}

/** Counts move by relative updates, so a sweep's pages and concurrent events never overwrite each other. */
function addInto (sets: Sets, prefix: '' | 'sweep_', c: Counts): void {
  const names = prefix === '' ? ['versions', 'delete_markers'] : ['sweep_versions', 'sweep_markers']
  sets.sql.push(`${names[0]} = ${names[0]} + ?`, `${names[1]} = ${names[1]} + ?`,
    `${prefix}live_objects = ${prefix}live_objects + ?`, `${prefix}live_bytes = ${prefix}live_bytes + ?`)
  sets.params.push(c.versions, c.deleteMarkers, c.liveObjects, c.liveBytes)
}

export function processOwner (): string { return `${hostname()}:${process.pid}` }

/** False when the sweep's owner is known to be gone, so its sweep may be resumed. */
function ownerAlive (owner: string | null, heartbeat: number | null): boolean {
  if (owner === null) return false
  const at = owner.lastIndexOf(':')
  const host = owner.slice(0, at)
  const pid = Number(owner.slice(at + 1))
  if (host !== hostname()) return heartbeat !== null && Date.now() - heartbeat < FOREIGN_SWEEP_SILENCE_MS
  // Our own pid: an earlier sweep in this process that failed part way.
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * The index's writes. Each is one short transaction with every row worked
 * out beforehand: a sweep's page, the end of a sweep, one key's history
 * after an event. Readers see each whole or not at all.
 */
export class IndexWrites {
  constructor (private readonly sql: Sql) {}

  /** The bucket's row id; a new row records `endpoint` (an existing one keeps its own). */
  async ensureBucket (name: string, endpoint: string): Promise<number> {
    await this.sql.run('INSERT INTO infinstor_buckets (name, endpoint) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [name, endpoint])
    const row = await this.sql.get<{ id: number }>('SELECT id FROM infinstor_buckets WHERE name = ?', [name])
    return (row as { id: number }).id
  }

  /**
   * Starts a sweep of `bucket` from `endpoint`, or takes over one whose
   * process is gone (it resumes at its marker). When the index holds the
   * bucket's history from another endpoint (or an unknown one), the bucket
   * starts over: no watermark, no counts, this endpoint, a fresh sweep
   * (`reset`), so none of the old rows is served while the sweep replaces them.
   */
  async beginSweep (bucket: string, endpoint: string): Promise<SweepClaim> {
    const bucketId = await this.ensureBucket(bucket, endpoint)
    const owner = processOwner()
    return await this.sql.transaction(async tx => {
      const row = await tx.get<{ sweep_id: string | null, sweep_owner: string | null, sweep_heartbeat: number | null, sweep_marker: string | null, sweep_started: number | null, endpoint: string | null }>(
        'SELECT sweep_id, sweep_owner, sweep_heartbeat, sweep_marker, sweep_started, endpoint FROM infinstor_buckets WHERE id = ?', [bucketId])
      if (row === undefined) throw new InfinError('Conflict', `bucket '${bucket}' left the index while a sweep began`)
      const reset = row.endpoint !== endpoint
      if (row.sweep_id !== null) {
        if (ownerAlive(row.sweep_owner, row.sweep_heartbeat)) {
          throw new InfinError('Conflict', `a sweep of '${bucket}' is under way in another process (${row.sweep_owner ?? '?'})` +
            (reset ? ` from ${row.endpoint ?? 'an unknown endpoint'}` : ''))
        }
        if (!reset) {
          await this.claim(tx, bucketId, row.sweep_id, row.sweep_owner, owner, bucket)
          return { bucket, bucketId, sweepId: row.sweep_id, owner, marker: row.sweep_marker ?? undefined, started: row.sweep_started ?? undefined, resumed: true, reset }
        }
      }
      if (reset) {
        await tx.run(`UPDATE infinstor_buckets SET endpoint = ?, versioning = NULL, watermark = NULL, last_sweep = NULL,
          last_event = NULL, versions = 0, delete_markers = 0, live_objects = 0, live_bytes = 0, horizon = NULL WHERE id = ?`,
        [endpoint, bucketId])
      }
      const sweepId = randomUUID()
      await tx.run(`UPDATE infinstor_buckets SET sweep_id = ?, sweep_owner = ?, sweep_heartbeat = ?, sweep_started = NULL,
        sweep_marker = NULL, sweep_pages = 0, sweep_versions = 0, sweep_markers = 0, sweep_live_objects = 0,
        sweep_live_bytes = 0, sweep_horizon = NULL WHERE id = ?`, [sweepId, owner, Date.now(), bucketId])
      return { bucket, bucketId, sweepId, owner, resumed: false, reset }
    })
  }

  private async claim (tx: Statements, bucketId: number, sweepId: string, from: string | null, to: string, bucket: string): Promise<void> {
    const n = await tx.run('UPDATE infinstor_buckets SET sweep_owner = ?, sweep_heartbeat = ? WHERE id = ? AND sweep_id = ? AND COALESCE(sweep_owner, \'\') = ?',
      [to, Date.now(), bucketId, sweepId, from ?? ''])
    if (n !== 1) throw new InfinError('Conflict', `another process took over the sweep of '${bucket}'`)
  }

  /** Checks the claim still holds and applies `sets` to the bucket's row, in the transaction. */
  private async update (tx: Statements, c: SweepClaim, sets: Sets): Promise<void> {
    const n = await tx.run(`UPDATE infinstor_buckets SET ${sets.sql.join(', ')} WHERE id = ? AND sweep_id = ? AND sweep_owner = ?`,
      [...sets.params, c.bucketId, c.sweepId, c.owner])
    if (n !== 1) throw new InfinError('Conflict', `another process took over the sweep of '${c.bucket}'`)
  }

  /** Replaces the rows of keys in (`c.marker`, `hi`] with a page's rows, and records the progress. */
  async commitPage (c: SweepClaim, hi: string, rows: readonly IndexRow[], started: number): Promise<void> {
    const counts = countsOf(rows)
    await this.sql.transaction(async tx => {
      const sets: Sets = {
        sql: ['sweep_marker = ?', 'sweep_started = COALESCE(sweep_started, ?)', 'sweep_heartbeat = ?', 'sweep_pages = sweep_pages + 1'],
        params: [hi, started, Date.now()]
      }
      addInto(sets, 'sweep_', counts)
      minInto(sets, 'sweep_horizon', counts.horizon)
      await this.update(tx, c, sets)
      await this.replaceRange(tx, c, hi, rows)
    })
    c.marker = hi
    c.started ??= started
  }

  /**
   * Ends a sweep: the last key's rows, keys past it that no longer exist
   * dropped, counts and watermark set, progress cleared.
   */
  async finishSweep (c: SweepClaim, rows: readonly IndexRow[], o: { started: number, watermark: number, finishedAt: number, versioning: string }): Promise<void> {
    const counts = countsOf(rows)
    await this.sql.transaction(async tx => {
      const sets: Sets = {
        sql: ['versions = sweep_versions + ?', 'delete_markers = sweep_markers + ?', 'live_objects = sweep_live_objects + ?',
          'live_bytes = sweep_live_bytes + ?'],
        params: [counts.versions, counts.deleteMarkers, counts.liveObjects, counts.liveBytes]
      }
      minInto(sets, 'horizon', counts.horizon, 'sweep_horizon')
      sets.sql.push('watermark = CASE WHEN watermark IS NULL OR watermark < ? THEN ? ELSE watermark END',
        'last_sweep = ?', 'versioning = ?', 'sweep_id = NULL', 'sweep_owner = NULL', 'sweep_marker = NULL',
        'sweep_started = NULL', 'sweep_heartbeat = NULL')
      sets.params.push(o.watermark, o.watermark, o.finishedAt, o.versioning)
      await this.update(tx, c, sets)
      await this.replaceRange(tx, c, undefined, rows)
    })
  }

  /** Rows of keys in (c.marker, hi] (to the end without `hi`) become `rows`. */
  private async replaceRange (tx: Statements, c: SweepClaim, hi: string | undefined, rows: readonly IndexRow[]): Promise<void> {
    const bounds: string[] = []
    const params: Param[] = [c.bucketId]
    if (c.marker !== undefined) { bounds.push(' AND key > ?'); params.push(c.marker) }
    if (hi !== undefined) { bounds.push(' AND key <= ?'); params.push(hi) }
    await tx.run(`DELETE FROM infinstor_versions WHERE bucket = ?${bounds.join('')}`, params)
    await tx.insertMany('infinstor_versions', VERSION_COLUMNS, rows.map(r => rowParams(c.bucketId, r)))
  }

  /**
   * One key's rows become `rows` (its whole history as just listed from
   * `endpoint`), and the bucket's counts move by the difference. Idempotent:
   * the same history applied twice leaves the same rows. Nothing changes,
   * and the answer is false, when the index holds the bucket's history from
   * another endpoint.
   */
  async replaceKey (bucket: string, key: string, rows: readonly IndexRow[], eventTime: number | undefined, endpoint: string): Promise<boolean> {
    const bucketId = await this.ensureBucket(bucket, endpoint)
    return await this.sql.transaction(async tx => {
      const owner = await tx.get<{ endpoint: string | null }>('SELECT endpoint FROM infinstor_buckets WHERE id = ?', [bucketId])
      if (owner?.endpoint !== endpoint) return false
      const old = await tx.all<{ key: string, valid_from: number, ord: number, version_id: string, size: number, dm: number }>(
        'SELECT key, valid_from, ord, version_id, size, dm FROM infinstor_versions WHERE bucket = ? AND key = ?', [bucketId, key])
      const before = countsOf(old.map(r => ({
        key: r.key, validFrom: r.valid_from, ord: r.ord, validTo: 0, versionId: r.version_id, size: r.size, etag: '', deleteMarker: r.dm === 1
      })))
      const after = countsOf(rows)
      const d: Counts = {
        versions: after.versions - before.versions,
        deleteMarkers: after.deleteMarkers - before.deleteMarkers,
        liveObjects: after.liveObjects - before.liveObjects,
        liveBytes: after.liveBytes - before.liveBytes
      }
      const sets: Sets = { sql: [], params: [] }
      addInto(sets, '', d)
      minInto(sets, 'horizon', after.horizon)
      // A sweep under way has counted this key already if it is at or before its marker.
      for (const [col, v] of [['sweep_versions', d.versions], ['sweep_markers', d.deleteMarkers],
        ['sweep_live_objects', d.liveObjects], ['sweep_live_bytes', d.liveBytes]] as const) {
        sets.sql.push(`${col} = ${col} + CASE WHEN sweep_marker >= ? THEN CAST(? AS BIGINT) ELSE 0 END`)
        sets.params.push(key, v)
      }
      if (eventTime !== undefined) {
        sets.sql.push('last_event = CASE WHEN last_event IS NULL OR last_event < ? THEN ? ELSE last_event END')
        sets.params.push(eventTime, eventTime)
      }
      await tx.run(`UPDATE infinstor_buckets SET ${sets.sql.join(', ')} WHERE id = ?`, [...sets.params, bucketId])
      await tx.run('DELETE FROM infinstor_versions WHERE bucket = ? AND key = ?', [bucketId, key])
      await tx.insertMany('infinstor_versions', VERSION_COLUMNS, rows.map(r => rowParams(bucketId, r)))
      return true
    })
  }
}
