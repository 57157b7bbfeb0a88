import { LRUCache } from 'lru-cache'
import type { IndexStatus } from '../core/api-types.js'
import { InfinError } from '../core/errors.js'
import { formatSpec, horizonOf, parseSpec, type TimeSpec } from '../core/timespec.js'
import { diffHistories, select, versionAt, type Change, type Version } from '../core/versions.js'
import { endpointOf } from '../index/endpoint.js'
import type { BucketInfo, S3Access, VersioningState } from '../s3/access.js'
import type { ByteSink } from '../s3/http1.js'
import { readChunks } from './chunks.js'
import { IndexedHistory, type IndexLoader } from './indexed.js'
import { Listing } from './listing.js'

export interface EngineOptions {
  /** History older than the listing's server time minus this is final. */
  settleMarginMs: number
  /** How long a listing may serve `latest` and other unsettled times. */
  liveTtlMs: number
  /** Listings kept, counted in entries (versions, markers and prefixes). */
  maxCachedEntries?: number
  /** Resolves `@NAME` (a label store); without it, no name is a label. */
  labels?: LabelLookup
  /** Opens the persistent history index, which answers the views it covers; without it, listings answer all. */
  index?: IndexLoader
}

/** What a label resolves to; labels themselves live in a label store. */
export interface LabelTarget {
  bucket: string
  prefix: string
  spec: TimeSpec
}

export interface LabelLookup {
  resolve: (name: string) => Promise<LabelTarget | undefined>
}

/** A resolved view: a bucket seen at a time or over a slice, from a root prefix. */
export interface View {
  bucket: string
  /** '' or a prefix ending in '/': a label may root its view below the bucket. */
  root: string
  spec: TimeSpec
  /** The canonical spec (or the label name that was given). */
  name: string
  label?: string
}

export interface FileEntry { seg: string, key: string, version: Version }
export interface DirEntry { seg: string, prefix: string }

export interface DirView {
  exists: boolean
  files: FileEntry[]
  dirs: DirEntry[]
  /** A live zero-byte 'dir/' object holding the directory open. */
  marker?: Version
  /** Files of this directory hidden by a delete marker in effect in the view, so "not found" can say why. */
  deleted: FileEntry[]
}

/** A directory of a view whose subdirectories may not all exist in it (see Engine.scanDir). */
export interface ScannedDir extends Omit<DirView, 'exists' | 'dirs'> {
  /** Prefixes under the directory; those without a live key do not exist in the view. */
  candidates: DirEntry[]
  /** The candidates are known to exist (the index lists live directories only). */
  known: boolean
}

const VERSIONING_TTL_MS = 30_000
/** The bucket list is reused this long: buckets come and go rarely, and every mount root lists them. */
const BUCKETS_TTL_MS = 10_000

/**
 * Time-travel views over S3: caches version listings, and answers every
 * view a listing covers without another request.
 */
export class Engine {
  /** Only the engine calls S3 for views and bytes; surfaces go through it. */
  private readonly s3: S3Access
  private readonly opts: EngineOptions
  readonly labels: LabelLookup | undefined
  private readonly listings: LRUCache<string, Listing>
  private readonly versioning = new Map<string, { at: number, state: Promise<VersioningState> }>()
  private bucketList: { at: number, list: Promise<BucketInfo[]> } | undefined
  private readonly indexed: IndexedHistory
  /**
   * Per bucket, the earliest versioned write any listing has shown so far:
   * the horizon is at or before it, so a view at or after it is within the
   * bucket's history with no request of its own.
   */
  private readonly earliestSeen = new Map<string, number>()
  /** Per bucket, the exact horizon once a flat listing has found it in settled history: it never moves. */
  private readonly settledHorizons = new Map<string, number>()

  constructor (s3: S3Access, opts: EngineOptions) {
    this.s3 = s3
    this.opts = opts
    this.labels = opts.labels
    this.indexed = new IndexedHistory(opts.index ?? (async () => undefined), endpointOf(s3))
    this.listings = new LRUCache({
      maxSize: opts.maxCachedEntries ?? 2_000_000,
      sizeCalculation: (l: Listing) => l.size
    })
  }

  /** The S3 endpoint (undefined: AWS), for status displays. */
  get endpoint (): string | undefined { return this.s3.endpoint }

  /** S3 requests sent so far, by operation: diagnostics, and proof in tests that caches work. */
  get requests (): ReadonlyMap<string, number> { return this.s3.requests }

  /** The bucket's state in the history index, if it is indexed. */
  async indexStatus (bucket: string): Promise<IndexStatus | undefined> {
    return await this.indexed.status(bucket)
  }

  /** Closes the S3 client's connections and the history index. */
  async close (): Promise<void> {
    this.s3.destroy()
    await this.indexed.close()
  }

  /** Every bucket the credentials can see, reused for a few seconds. */
  async buckets (): Promise<BucketInfo[]> {
    if (this.bucketList === undefined || Date.now() - this.bucketList.at > BUCKETS_TTL_MS) {
      const entry = { at: Date.now(), list: this.s3.listBuckets() }
      this.bucketList = entry
      entry.list.catch(() => { if (this.bucketList === entry) this.bucketList = undefined })
    }
    return await this.bucketList.list
  }

  /**
   * Turns versioning on or off. Suspending a bucket that never had it is
   * refused (there is nothing to suspend, and S3 would start a history of
   * `null` versions). Cached listings of the bucket are dropped, since
   * whether they are final depends on the state.
   */
  async setVersioning (bucket: string, on: boolean): Promise<{ before: VersioningState, after: VersioningState }> {
    const before = await this.versioningOf(bucket)
    if (!on && before === 'Off') {
      throw new InfinError('NotVersioned', `versioning was never enabled on '${bucket}'; there is nothing to disable`)
    }
    await this.s3.setVersioning(bucket, on)
    this.versioning.delete(bucket)
    for (const key of [...this.listings.keys()]) if (key.startsWith(bucket + '\0')) this.listings.delete(key)
    return { before, after: await this.versioningOf(bucket) }
  }

  /** Versioning state, cached briefly; also proves the bucket exists. */
  async versioningOf (bucket: string): Promise<VersioningState> {
    const hit = this.versioning.get(bucket)
    if (hit !== undefined && Date.now() - hit.at < VERSIONING_TTL_MS) return await hit.state
    const state = this.s3.getVersioning(bucket)
    this.versioning.set(bucket, { at: Date.now(), state })
    state.catch(() => this.versioning.delete(bucket))
    try {
      return await state
    } catch (e) {
      if (e instanceof InfinError && e.code === 'NotFound') {
        throw new InfinError('NotFound', `bucket '${bucket}' does not exist (or these credentials cannot see it)`)
      }
      throw e
    }
  }

  /**
   * Sends the bucket's object changes to an SQS queue (by ARN) for the
   * history index, or stops sending them (undefined).
   */
  async setHistoryEvents (bucket: string, queueArn: string | undefined): Promise<void> {
    await this.s3.setHistoryEvents(bucket, queueArn)
  }

  /** The latest the server's clock can read now, as far as it is known (no request). */
  latestServerTime (): number { return this.s3.clock.latestNow() }

  /** The latest the server's clock can read now (asks S3 once if unknown). */
  async serverNow (bucket?: string): Promise<number> {
    if (!this.s3.clock.known) {
      if (bucket !== undefined) await this.versioningOf(bucket)
      else await this.s3.listBuckets()
    }
    return this.s3.clock.latestNow()
  }

  /** Resolves `spec` text (a time, a slice, `latest` or a label) for a bucket. */
  async view (bucket: string, specText = 'latest'): Promise<View> {
    // A view the history index covers needs no request: the index saw the
    // bucket with versioning. A spec that fails here (a time the local
    // clock thinks is future, say) is judged below by the server's clock.
    const early = await this.resolve(bucket, specText).catch(() => undefined)
    if (early !== undefined && await this.indexed.covering(bucket, early.spec) !== undefined) return early
    const state = await this.versioningOf(bucket)
    const view = await this.resolve(bucket, specText)
    if (view.spec.kind !== 'latest' && state === 'Off') {
      throw new InfinError('NotVersioned',
        `bucket '${bucket}' has never had versioning, so it keeps no history to travel back to. ` +
        `Enable it with 'infinstor enable ${bucket}'; history is kept from then on`)
    }
    return view
  }

  /** Parses spec text against the server's clock as far as it is known, and resolves a label. */
  private async resolve (bucket: string, specText: string): Promise<View> {
    const spec = parseSpec(specText, this.s3.clock.latestNow())
    if (spec.kind !== 'label') return { bucket, root: '', spec, name: formatSpec(spec) }
    const target = await this.labels?.resolve(spec.name)
    if (target === undefined) throw new InfinError('NotFound', `no label named '${spec.name}'`)
    if (target.bucket !== bucket) {
      throw new InfinError('NotFound', `label '${spec.name}' belongs to bucket '${target.bucket}', not '${bucket}'`)
    }
    return { bucket, root: target.prefix, spec: target.spec, name: spec.name, label: spec.name }
  }

  /**
   * A listing that covers the view's horizon: a cached one when its history
   * is final up to there (or it is fresh enough), else a new one.
   */
  private async listing (bucket: string, prefix: string, delimiter: string | undefined, spec: TimeSpec): Promise<Listing> {
    const cacheKey = `${bucket}\0${delimiter ?? ''}\0${prefix}`
    const cached = this.listings.get(cacheKey)
    if (cached !== undefined && !cached.failed) {
      const settled = (await this.versioningOf(bucket)) === 'Enabled'
      if (settled && cached.watermark !== -Infinity && horizonOf(spec) <= cached.watermark) return cached
      if (Date.now() - cached.startedAt < this.opts.liveTtlMs) return cached
    }
    const fresh = new Listing(bucket, prefix, cacheKey, this.s3.listVersions(bucket, prefix, delimiter),
      this.opts.settleMarginMs, t => {
        if (t < (this.earliestSeen.get(bucket) ?? Infinity)) this.earliestSeen.set(bucket, t)
      })
    this.listings.set(cacheKey, fresh)
    try {
      await fresh.more()
    } catch (e) {
      this.listings.delete(cacheKey)
      throw e
    }
    return fresh
  }

  private async complete (listing: Listing): Promise<Listing> {
    try {
      await listing.all()
    } catch (e) {
      if (this.listings.peek(listing.cacheKey) === listing) this.listings.delete(listing.cacheKey)
      throw e
    }
    // Re-account its grown size, unless a newer listing replaced it meanwhile.
    if (this.listings.peek(listing.cacheKey) === listing) this.listings.set(listing.cacheKey, listing)
    return listing
  }

  /** One directory of a view: its live files and its non-empty subdirectories (from the index when it covers the view). */
  async readDir (view: View, prefix: string): Promise<DirView> {
    const { candidates, known, ...scan } = await this.scanDir(view, prefix)
    const live = known ? candidates.map(() => true) : await Promise.all(candidates.map(async d => await this.dirExists(view, d.prefix)))
    const dirs = candidates.filter((_, i) => live[i])
    const exists = prefix === view.root || scan.marker !== undefined || scan.files.length > 0 || dirs.length > 0
    return { exists, dirs, ...scan }
  }

  /**
   * One directory of a view, its subdirectories not yet known to exist in
   * it unless `known`: a subdirectory exists only if some key under it is
   * live, which may take a search of its own (dirExists) per subdirectory.
   * A lookup of one name needs that search for that name alone.
   */
  async scanDir (view: View, prefix: string): Promise<ScannedDir> {
    const index = await this.indexed.covering(view.bucket, view.spec)
    if (index !== undefined) {
      const d = await this.indexed.readDir(index, view.bucket, prefix, view.spec)
      // The index's directory scan reads live rows only: a deleted key's lookup is then a plain ENOENT, without its log line.
      return { files: d.files, marker: d.marker, deleted: [], candidates: d.dirs, known: true }
    }
    const listing = await this.complete(await this.listing(view.bucket, prefix, '/', view.spec))
    const files: FileEntry[] = []
    const deleted: FileEntry[] = []
    let marker: Version | undefined
    for (const [key, history] of listing.histories()) {
      const v = select(history, view.spec)
      if (v === undefined) {
        const hidden = versionAt(history, horizonOf(view.spec))
        if (hidden?.deleteMarker === true && key !== prefix) deleted.push({ seg: key.slice(prefix.length), key, version: hidden })
        continue
      }
      if (key === prefix) marker = v
      else files.push({ seg: key.slice(prefix.length), key, version: v })
    }
    const candidates = listing.prefixes().map(p => ({ seg: p.slice(prefix.length, -1), prefix: p }))
    return { files, marker, deleted, candidates, known: false }
  }

  /** True when some key under `prefix` is in the view. */
  async dirExists (view: View, prefix: string): Promise<boolean> {
    const index = await this.indexed.covering(view.bucket, view.spec)
    if (index !== undefined) return await index.dirExists(view.bucket, prefix, view.spec)
    const listing = await this.listing(view.bucket, prefix, '/', view.spec)
    const memoKey = formatSpec(view.spec)
    let answer = listing.memo.get(memoKey)
    if (answer === undefined) {
      answer = this.searchLive(view, listing)
      if (listing.memo.size > 256) listing.memo.clear()
      listing.memo.set(memoKey, answer)
      answer.catch(() => listing.memo.delete(memoKey))
    }
    return await answer
  }

  private async searchLive (view: View, listing: Listing): Promise<boolean> {
    if (await listing.scan((_, h) => select(h, view.spec) !== undefined)) return true
    // No file here is live: look below, a few subdirectories at a time.
    const subdirs = listing.prefixes()
    for (let i = 0; i < subdirs.length; i += 8) {
      const batch = await Promise.all(subdirs.slice(i, i + 8).map(async p => await this.dirExists(view, p)))
      if (batch.includes(true)) return true
    }
    return false
  }

  /** Every key under `prefix` in the view, in key order, from one flat listing. */
  async walk (view: View, prefix: string): Promise<FileEntry[]> {
    const index = await this.indexed.covering(view.bucket, view.spec)
    if (index !== undefined) return await this.indexed.walk(index, view.bucket, prefix, view.spec)
    const listing = await this.complete(await this.listing(view.bucket, prefix, undefined, view.spec))
    const out: FileEntry[] = []
    for (const [key, history] of listing.histories()) {
      const v = select(history, view.spec)
      if (v !== undefined) out.push({ seg: key.slice(prefix.length), key, version: v })
    }
    return out
  }

  /** Added, modified and deleted keys under `prefix` between two views of one bucket. */
  async diff (a: View, b: View, prefix: string): Promise<Change[]> {
    const index = await this.indexed.covering(a.bucket, a.spec, b.spec)
    if (index !== undefined) return await this.indexed.diff(index, a.bucket, a.spec, b.spec, prefix)
    const later = horizonOf(a.spec) >= horizonOf(b.spec) ? a.spec : b.spec
    const listing = await this.complete(await this.listing(a.bucket, prefix, undefined, later))
    return diffHistories(listing.histories(), a.spec, b.spec)
  }

  /** Every key's whole history under `prefix` (newest first), from one flat listing: activity over time. */
  async histories (bucket: string, prefix: string): Promise<Map<string, Version[]>> {
    await this.versioningOf(bucket)
    const listing = await this.complete(await this.listing(bucket, prefix, undefined, { kind: 'latest' }))
    return listing.histories()
  }

  /**
   * The full history of one key, newest first, plus whether the key is also
   * a directory (other keys continue it with '/').
   */
  async history (bucket: string, key: string, spec: TimeSpec = { kind: 'latest' }): Promise<{ versions: Version[], isDir: boolean }> {
    // The index holds every entry up to the view's end, so selecting at the view is exact.
    const index = await this.indexed.covering(bucket, spec)
    if (index !== undefined) return await index.history(bucket, key)
    const listing = await this.listing(bucket, key, '/', spec)
    let versions: Version[] = []
    await listing.scan((k, h) => {
      if (k === key) versions = h
      return k !== key
    })
    if (!listing.complete && versions.length === 0) await this.complete(listing)
    return { versions, isDir: listing.prefixes().includes(key + '/') }
  }

  /** The version of `key` in the view, or NotFound. */
  async stat (view: View, key: string): Promise<Version> {
    const { versions, isDir } = await this.history(view.bucket, key, view.spec)
    const v = select(versions, view.spec)
    if (v === undefined) {
      const hint = isDir ? ' (it is a directory; use ls)' : ''
      throw new InfinError('NotFound', `s3://${view.bucket}/${key} does not exist at ${view.name}${hint}`)
    }
    return v
  }

  /** Bytes [start, end) of a version, clamped to its size. */
  async read (bucket: string, v: Version, start: number, end: number, signal?: AbortSignal): Promise<Buffer> {
    const stop = Math.min(end, v.size)
    if (start >= stop) return Buffer.alloc(0)
    return await this.s3.getRange(bucket, v.key, v.versionId, start, stop, signal)
  }

  /** Bytes [start, end) of a version, written straight into `sink` (the reader's pooled blocks). */
  async readInto (bucket: string, v: Version, start: number, end: number, sink: ByteSink, signal?: AbortSignal): Promise<void> {
    const stop = Math.min(end, v.size)
    if (start >= stop) return
    await this.s3.getInto(bucket, v.key, v.versionId, start, stop, sink, signal)
  }

  /**
   * Bytes [start, end) of a version in pieces of a few MiB, the next one in
   * flight while the caller uses the current: for streaming a whole version
   * to a pipe, a file or a socket with bounded memory.
   */
  readChunks (bucket: string, v: Version, start = 0, end = v.size): AsyncGenerator<Buffer> {
    return readChunks(async (from, to) => await this.read(bucket, v, from, to), start, Math.min(end, v.size))
  }

  /**
   * When the view looks at a time before the bucket's history horizon (its
   * earliest versioned write), the horizon (null: the bucket has no
   * versioned write yet); else undefined. Costs nothing when a listing
   * already showed a versioned write at or before the view's time (the
   * usual case: the listing the view itself needed); otherwise one flat
   * listing of the bucket, whose answer is kept for good once settled.
   */
  async beforeHorizon (view: View): Promise<number | null | undefined> {
    if (view.spec.kind === 'latest') return undefined
    const t = horizonOf(view.spec)
    if ((this.earliestSeen.get(view.bucket) ?? Infinity) <= t) return undefined
    // An index that covers the view knows the bucket's earliest versioned write without a listing.
    const index = await this.indexed.covering(view.bucket, view.spec)
    const horizon = index !== undefined ? (await index.bucket(view.bucket))?.horizon : await this.horizon(view.bucket)
    return horizon === undefined ? null : t < horizon ? horizon : undefined
  }

  /** The bucket's history horizon: its earliest versioned write (undefined: none yet). */
  async horizon (bucket: string): Promise<number | undefined> {
    const settled = this.settledHorizons.get(bucket)
    if (settled !== undefined) return settled
    const listing = await this.complete(await this.listing(bucket, '', undefined, { kind: 'latest' }))
    // The listing reported every versioned write it holds, so the bucket's earliest is now known.
    const horizon = this.earliestSeen.get(bucket)
    if (horizon !== undefined && horizon <= listing.watermark && (await this.versioningOf(bucket)) === 'Enabled') {
      this.settledHorizons.set(bucket, horizon)
    }
    return horizon
  }

  /** Counts and the history horizon of a bucket, from one flat listing. */
  async summary (bucket: string): Promise<BucketSummary> {
    const state = await this.versioningOf(bucket)
    const view: View = { bucket, root: '', spec: { kind: 'latest' }, name: 'latest' }
    const listing = await this.complete(await this.listing(bucket, '', undefined, view.spec))
    const s: BucketSummary = { bucket, versioning: state, liveObjects: 0, liveBytes: 0, versions: 0, deleteMarkers: 0 }
    for (const history of listing.histories().values()) {
      const live = select(history, view.spec)
      if (live !== undefined) { s.liveObjects++; s.liveBytes += live.size }
      for (const v of history) {
        if (v.deleteMarker) s.deleteMarkers++
        else s.versions++
        if (v.versionId !== 'null' && (s.horizon === undefined || v.lastModified < s.horizon)) s.horizon = v.lastModified
      }
    }
    return s
  }
}

export interface BucketSummary {
  bucket: string
  versioning: VersioningState
  /** Earliest versioned write: before it, overwritten or deleted data is gone. */
  horizon?: number
  liveObjects: number
  liveBytes: number
  versions: number
  deleteMarkers: number
}
