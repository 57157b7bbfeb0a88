import { setTimeout as sleep } from 'node:timers/promises'
import { compareKeys, type ListedVersion } from '../core/versions.js'
import type { S3Access, VersionPage } from '../s3/access.js'
import { endpointOf } from './endpoint.js'
import type { IndexStore } from './open.js'
import { STATE_TTL_MS } from './reads.js'
import { rowsOfEntries, rowsOfKey } from './rows.js'

export interface SweepProgress {
  bucket: string
  pages: number
  /** Versions and delete markers listed by this process. */
  entries: number
  elapsedMs: number
  resumed: boolean
}

export interface SweepResult extends SweepProgress {
  watermark: number
  versioning: string
}

export interface SweepOptions {
  /** History older than the sweep's start in server time, less this, is final. */
  settleMarginMs: number
  /** Entries per ListObjectVersions page (S3's maximum is 1000). */
  pageSize: number
  onProgress?: (p: SweepProgress) => void
  signal?: AbortSignal
}

/**
 * A full sweep: lists every version of a bucket and replaces the index's
 * rows key range by key range, one transaction per page, so the index is
 * consistent at every moment and a killed sweep resumes after the last
 * committed key. Its watermark is its start in server time less the settle
 * margin: every page was listed after that start, so every entry up to the
 * watermark is in the index once the sweep ends.
 */
export async function sweep (s3: S3Access, index: IndexStore, bucket: string, o: SweepOptions): Promise<SweepResult> {
  const begun = Date.now()
  // Also proves the bucket exists, and sets the server clock just before the listing begins.
  const versioning = await s3.getVersioning(bucket)
  const claim = await index.writes.beginSweep(bucket, endpointOf(s3))
  // Readers that saw the other endpoint's watermark a moment ago may still trust it: write nothing until they cannot.
  const fenced = claim.reset ? sleep(STATE_TTL_MS + 100, undefined, { signal: o.signal }) : undefined
  fenced?.catch(() => {})
  const started = claim.started ?? s3.clock.earliestNow()
  const progress: SweepProgress = { bucket, pages: 0, entries: 0, elapsedMs: 0, resumed: claim.resumed }
  const pages = s3.listVersions(bucket, '', undefined, { startAfter: claim.marker, maxKeys: o.pageSize })
  // The last key of a page may continue on the next one: held back until it is whole.
  let pending: ListedVersion[] = []
  const resumeAfter = claim.marker
  let next = pages.next()
  for (;;) {
    o.signal?.throwIfAborted()
    const got: IteratorResult<VersionPage> = await next
    if (got.done === true) break
    // List the next page while this one is written.
    next = pages.next()
    next.catch(() => {})
    // Pages come in key order (S3Access sorts delete markers among versions): a page's last key is its last entry's.
    const fresh = resumeAfter === undefined ? got.value.entries : got.value.entries.filter(e => compareKeys(e.key, resumeAfter) > 0)
    const entries = pending.concat(fresh)
    progress.pages++
    progress.entries += fresh.length
    if (entries.length === 0) continue
    const lastKey = entries[entries.length - 1].key
    const whole = entries.filter(e => e.key !== lastKey)
    pending = entries.filter(e => e.key === lastKey)
    if (whole.length > 0) {
      await fenced
      await index.writes.commitPage(claim, whole[whole.length - 1].key, rowsOfEntries(whole), started)
    }
    progress.elapsedMs = Date.now() - begun
    o.onProgress?.({ ...progress })
  }
  const watermark = started - o.settleMarginMs
  await fenced
  await index.writes.finishSweep(claim, rowsOfKey(pending), {
    started, watermark, finishedAt: s3.clock.earliestNow(), versioning
  })
  progress.elapsedMs = Date.now() - begun
  return { ...progress, watermark, versioning }
}
