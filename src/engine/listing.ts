import { orderHistory, type ListedVersion, type Version } from '../core/versions.js'
import type { VersionPage } from '../s3/access.js'

/**
 * One ListObjectVersions stream (a prefix, with or without a delimiter),
 * fetched a page at a time as callers need more of it.
 *
 * Its watermark is the server's time when the listing began, less a margin.
 * Entries with LastModified at or before the watermark cannot change any
 * more (in a bucket with versioning enabled), so the listing answers every
 * view up to the watermark without another request.
 */
export class Listing {
  readonly bucket: string
  readonly prefix: string
  /** Where the engine's cache keeps it. */
  readonly cacheKey: string
  /** Local time the listing was started, for brief reuse by live views. */
  readonly startedAt = Date.now()
  watermark = -Infinity
  complete = false
  failed = false
  /** Per-view answers derived from this listing (e.g. "does this dir exist at T"). */
  readonly memo = new Map<string, Promise<boolean>>()

  private readonly entries = new Map<string, ListedVersion[]>()
  /** Keys in listing order (a key's entries are contiguous in a listing). */
  private readonly keys: string[] = []
  private readonly commonPrefixes: string[] = []
  private readonly pages: AsyncGenerator<VersionPage>
  private readonly margin: number
  private lastKey: string | undefined
  private inflight: Promise<void> | undefined
  private ordered: Map<string, Version[]> | undefined

  /** Told of each version written with versioning on (not `null`) as pages arrive: bounds the bucket's horizon. */
  private readonly onVersioned: (lastModified: number) => void

  constructor (bucket: string, prefix: string, cacheKey: string, pages: AsyncGenerator<VersionPage>, marginMs: number,
    onVersioned: (lastModified: number) => void = () => {}) {
    this.bucket = bucket
    this.prefix = prefix
    this.cacheKey = cacheKey
    this.pages = pages
    this.margin = marginMs
    this.onVersioned = onVersioned
  }

  /** Number of entries held, for cache accounting. */
  get size (): number {
    let n = this.commonPrefixes.length
    for (const list of this.entries.values()) n += list.length
    return n + 1
  }

  /** Fetches the next page; concurrent callers share one request. */
  async more (): Promise<void> {
    if (this.complete) return
    this.inflight ??= this.fetchPage().finally(() => { this.inflight = undefined })
    await this.inflight
  }

  private async fetchPage (): Promise<void> {
    let next: IteratorResult<VersionPage>
    try {
      next = await this.pages.next()
    } catch (e) {
      this.failed = true
      throw e
    }
    if (next.done === true) {
      this.complete = true
      return
    }
    const page = next.value
    if (this.watermark === -Infinity) this.watermark = page.serverDate - this.margin
    let earliest = Infinity
    for (const e of page.entries) {
      if (e.versionId !== 'null' && e.lastModified < earliest) earliest = e.lastModified
      const list = this.entries.get(e.key)
      if (list === undefined) {
        this.entries.set(e.key, [e])
        this.keys.push(e.key)
      } else {
        list.push(e)
      }
      this.lastKey = e.key
    }
    this.commonPrefixes.push(...page.prefixes)
    if (earliest !== Infinity) this.onVersioned(earliest)
  }

  async all (): Promise<void> {
    while (!this.complete) await this.more()
  }

  /** Every key's history, newest first. Call after all(). */
  histories (): Map<string, Version[]> {
    if (this.ordered !== undefined) return this.ordered
    const out = new Map<string, Version[]>()
    for (const [key, list] of this.entries) out.set(key, orderHistory(list))
    if (this.complete) this.ordered = out
    return out
  }

  prefixes (): readonly string[] { return this.commonPrefixes }

  /**
   * Visits keys whose history is fully fetched, fetching pages only until
   * `found` returns true. The last key of an unfinished listing may continue
   * on the next page, so it waits. Returns whether `found` said yes.
   */
  async scan (found: (key: string, history: Version[]) => boolean): Promise<boolean> {
    let i = 0
    for (;;) {
      for (; i < this.keys.length; i++) {
        const key = this.keys[i]
        if (!this.complete && key === this.lastKey) break
        if (found(key, orderHistory(this.entries.get(key) as ListedVersion[]))) return true
      }
      if (this.complete) return false
      await this.more()
    }
  }
}
