import { LRUCache } from 'lru-cache'
import { InfinError } from '../core/errors.js'
import type { Version } from '../core/versions.js'
import { abandon, BlockCutter, nextWithin } from './chunks.js'
import type { DiskCache } from './disk-cache.js'
import type { Job, Scheduler } from './scheduler.js'
import type { RangeStream } from './types.js'

/** One version's bytes as the cache sees them. */
export interface CachedFile {
  bucket: string
  version: Version
  /** Names these exact bytes: block keys start with it. */
  id: string
}

export function cachedFile (bucket: string, version: Version): CachedFile {
  const base = `${bucket}\0${version.key}\0${version.versionId}`
  // A 'null' version is overwritten in place while versioning is suspended:
  // the same id then names other bytes, told apart by time, ETag and size.
  const id = version.versionId === 'null'
    ? `${base}\0${version.lastModified}\0${version.etag}\0${version.size}`
    : base
  return { bucket, version, id }
}

export function describe (file: CachedFile): string {
  return `s3://${file.bucket}/${file.version.key} (version ${file.version.versionId})`
}

export interface BlockCacheOptions {
  blockSize: number
  cacheBytes: number
  /** Largest bounded GET, in bytes (rounded down to whole blocks). */
  partSize: number
  /** A GET fails when no bytes arrive for this long (retries included). */
  getTimeoutMs: number
}

export interface BlockStats {
  /** Blocks a read found in memory. */
  hits: number
  /** Blocks a read had to wait for (from disk or S3). */
  misses: number
  /** Blocks loaded from the disk cache. */
  diskHits: number
  /** GET requests sent, long ones included. */
  gets: number
  failedGets: number
  bytesFetched: number
  /** Bytes asked of S3 by bounded GETs and not yet delivered as blocks. */
  inflightBytes: number
  peakInflightBytes: number
}

/** A run of blocks loaded by one bounded GET; a handle keeps its readahead parts to cancel them. */
export interface Part {
  file: CachedFile
  from: number
  to: number
  job?: Job
  owner?: Set<Part>
}

/** Whoever else may load a block: a long GET following a reader (see Follower). */
export interface Claimant { readonly file: CachedFile }

interface Pending {
  promise: Promise<Buffer>
  resolve: (b: Buffer) => void
  reject: (e: unknown) => void
  /** A read waits for it: its GET must not wait behind readahead. */
  urgent: boolean
  part?: Part
  claimant?: Claimant
}

/** Marks a load dropped because nobody wants it any more. */
class Cancelled extends Error {}

/**
 * Fixed-size blocks of versions, in memory (LRU bounded in bytes), then the
 * optional disk cache, then S3. Versions never change, so nothing is ever
 * invalidated. Each block loads once however many reads want it: a block
 * being loaded is `pending`, and later reads share its promise. A failed
 * load leaves nothing behind, so the next read tries again.
 */
export class BlockCache {
  readonly stats: BlockStats = {
    hits: 0, misses: 0, diskHits: 0, gets: 0, failedGets: 0, bytesFetched: 0, inflightBytes: 0, peakInflightBytes: 0
  }

  /**
   * When bytes last arrived (from S3 or the disk cache), for any file: a
   * read waiting its turn behind other GETs is not failed while S3 answers.
   */
  lastProgress = Date.now()
  private readonly memory: LRUCache<string, Buffer>
  private readonly pending = new Map<string, Pending>()
  private readonly partBlocks: number

  constructor (
    readonly stream: RangeStream,
    private readonly scheduler: Scheduler,
    private readonly disk: DiskCache | undefined,
    readonly opts: BlockCacheOptions
  ) {
    this.memory = new LRUCache({ maxSize: opts.cacheBytes, sizeCalculation: (b: Buffer) => b.length })
    this.partBlocks = Math.max(1, Math.floor(opts.partSize / opts.blockSize))
  }

  get cachedBytes (): number { return this.memory.calculatedSize }

  /** Number of blocks of a file. */
  blocks (file: CachedFile): number {
    return Math.ceil(file.version.size / this.opts.blockSize)
  }

  lengthOf (file: CachedFile, i: number): number {
    return Math.min(this.opts.blockSize, file.version.size - i * this.opts.blockSize)
  }

  /** Block `i` for a read: now if in memory, else once loaded (ahead of readahead). */
  block (file: CachedFile, i: number): Buffer | Promise<Buffer> {
    const key = blockKey(file, i)
    const hit = this.memory.get(key)
    if (hit !== undefined) {
      this.stats.hits++
      return hit
    }
    this.stats.misses++
    let p = this.pending.get(key)
    if (p === undefined) {
      this.load(file, i, i + 1, i + 1)
      p = this.pending.get(key) as Pending
    }
    p.urgent = true
    const job = p.part?.job
    if (job !== undefined) this.scheduler.promote(job)
    return p.promise
  }

  /** True when block `i` is in the disk cache. */
  async onDisk (file: CachedFile, i: number): Promise<boolean> {
    return await (this.disk?.has(this.diskId(file, i)) ?? false)
  }

  get hasDisk (): boolean { return this.disk !== undefined }

  /** True when block `i` is neither in memory nor on its way. */
  missing (file: CachedFile, i: number): boolean {
    const key = blockKey(file, i)
    return !this.pending.has(key) && !this.memory.has(key)
  }

  /**
   * Starts loading blocks [from, to) that are neither cached nor loading.
   * Blocks before `urgentTo` are wanted by a read now; the others are
   * readahead, which `owner` may cancel while it waits for a slot.
   */
  load (file: CachedFile, from: number, to: number, urgentTo: number, owner?: Set<Part>): void {
    const missing: number[] = []
    for (let i = from; i < Math.min(to, this.blocks(file)); i++) {
      if (!this.missing(file, i)) continue
      this.markPending(file, i, i < urgentTo)
      missing.push(i)
    }
    if (missing.length > 0) void this.fill(file, missing, owner)
  }

  /** Drops the owner's readahead that has not started yet. */
  cancel (owner: Set<Part>): void {
    for (const part of owner) {
      if (part.job === undefined || !this.scheduler.cancel(part.job)) continue
      owner.delete(part)
      for (let i = part.from; i < part.to; i++) this.fail(blockKey(part.file, i), new Cancelled())
    }
  }

  /** Marks block `i` as coming from `claimant`, unless it is cached or already on its way. */
  claim (claimant: Claimant, i: number): void {
    if (this.missing(claimant.file, i)) this.markPending(claimant.file, i, false).claimant = claimant
  }

  /**
   * The claimant gives up blocks [from, to): those a read waits for are
   * fetched by ordinary GETs, the others dropped.
   */
  unclaim (claimant: Claimant, from: number, to: number): void {
    const { file } = claimant
    const wanted: number[] = []
    for (let i = from; i < to; i++) {
      const key = blockKey(file, i)
      const p = this.pending.get(key)
      if (p?.claimant !== claimant) continue
      p.claimant = undefined
      if (p.urgent) wanted.push(i)
      else this.fail(key, new Cancelled())
    }
    if (wanted.length > 0) this.schedule(file, wanted, undefined)
  }

  /** Takes a block that arrived from S3: into memory and the disk cache, to anyone waiting. */
  deliver (file: CachedFile, i: number, block: Buffer): void {
    this.stats.bytesFetched += block.length
    const key = blockKey(file, i)
    // A long GET passes over blocks it did not claim: keep what is there.
    if (!this.pending.has(key) && this.memory.has(key)) return
    this.settle(key, block)
    this.disk?.put(this.diskId(file, i), block)
  }

  private markPending (file: CachedFile, i: number, urgent: boolean): Pending {
    let resolve!: (b: Buffer) => void
    let reject!: (e: unknown) => void
    const promise = new Promise<Buffer>((res, rej) => { resolve = res; reject = rej })
    // Readahead nobody waits for may fail; that is no unhandled rejection.
    promise.catch(() => {})
    const p: Pending = { promise, resolve, reject, urgent }
    this.pending.set(blockKey(file, i), p)
    return p
  }

  private async fill (file: CachedFile, indices: number[], owner: Set<Part> | undefined): Promise<void> {
    const urgent = indices.some(i => this.pending.get(blockKey(file, i))?.urgent === true)
    // A read looking on disk first will need a slot soon: keep readahead from taking it.
    const release = urgent && this.disk !== undefined ? this.scheduler.hold() : undefined
    try {
      // Trouble with the disk cache is a miss: S3 still has the bytes.
      const missing = await this.fromDisk(file, indices)
        .catch(() => indices.filter(i => this.pending.has(blockKey(file, i))))
      this.schedule(file, missing, owner)
    } finally {
      release?.()
    }
  }

  /** Settles the blocks found on disk; returns the others. */
  private async fromDisk (file: CachedFile, indices: number[]): Promise<number[]> {
    const disk = this.disk
    if (disk === undefined) return indices
    const found = await Promise.all(indices.map(async i => await disk.get(this.diskId(file, i), this.lengthOf(file, i))))
    const remaining: number[] = []
    for (const [n, i] of indices.entries()) {
      const data = found[n]
      if (data === undefined) {
        remaining.push(i)
      } else {
        this.stats.diskHits++
        this.settle(blockKey(file, i), data)
      }
    }
    return remaining
  }

  /** Sends GETs for blocks: those a read waits for now, the rest as readahead. */
  private schedule (file: CachedFile, indices: number[], owner: Set<Part> | undefined): void {
    for (const part of this.parts(file, indices)) {
      const urgent = this.blockKeys(part).some(k => this.pending.get(k)?.urgent === true)
      const run = async (): Promise<void> => {
        part.owner?.delete(part)
        // A long GET may have brought these blocks while this one waited.
        if (this.blockKeys(part).some(k => this.pending.get(k)?.part === part || this.pending.get(k)?.urgent === true)) {
          await this.get(part)
        }
      }
      if (urgent) {
        void this.scheduler.now(run)
        continue
      }
      part.owner = owner
      part.job = this.scheduler.later(run)
      owner?.add(part)
      for (const k of this.blockKeys(part)) {
        const p = this.pending.get(k)
        if (p !== undefined) p.part = part
      }
    }
  }

  /** Splits block indices into runs of consecutive blocks, each at most one part long. */
  private parts (file: CachedFile, indices: number[]): Part[] {
    const out: Part[] = []
    for (const i of indices) {
      const last = out[out.length - 1]
      if (last !== undefined && last.to === i && last.to - last.from < this.partBlocks) last.to++
      else out.push({ file, from: i, to: i + 1 })
    }
    return out
  }

  /** One bounded GET for a part; settles each block as its bytes arrive, never rejects. */
  private async get (part: Part): Promise<void> {
    const { file } = part
    const start = part.from * this.opts.blockSize
    const end = Math.min(part.to * this.opts.blockSize, file.version.size)
    let owed = end - start
    this.stats.gets++
    this.stats.inflightBytes += owed
    this.stats.peakInflightBytes = Math.max(this.stats.peakInflightBytes, this.stats.inflightBytes)
    const controller = new AbortController()
    const it = this.stream(file.bucket, file.version, start, end, controller.signal)[Symbol.asyncIterator]()
    const cutter = new BlockCutter(i => this.lengthOf(file, i), part.from, part.to, () => wrongSize(file, start, end, 'more'))
    let ended = false
    try {
      for (;;) {
        const r = await nextWithin(it, this.opts.getTimeoutMs, () => stalled(file, this.opts.getTimeoutMs, controller))
        if (r.done === true) break
        this.lastProgress = Date.now()
        for (const [i, block] of cutter.cut(r.value)) {
          owed -= block.length
          this.stats.inflightBytes -= block.length
          this.deliver(file, i, block)
        }
      }
      ended = true
      if (!cutter.complete) throw wrongSize(file, start, end, 'fewer')
    } catch (e) {
      this.stats.failedGets++
      const err = asDomainError(e, file)
      for (let i = cutter.next; i < part.to; i++) this.fail(blockKey(file, i), err)
    } finally {
      if (!ended) abandon(it)
      this.stats.inflightBytes -= owed
    }
  }

  private settle (key: string, data: Buffer): void {
    this.lastProgress = Date.now()
    this.memory.set(key, data)
    const p = this.pending.get(key)
    this.pending.delete(key)
    p?.resolve(data)
  }

  private fail (key: string, e: unknown): void {
    const p = this.pending.get(key)
    this.pending.delete(key)
    p?.reject(e)
  }

  private blockKeys (part: Part): string[] {
    const keys: string[] = []
    for (let i = part.from; i < part.to; i++) keys.push(blockKey(part.file, i))
    return keys
  }

  /** Other processes may use other block sizes: the size is part of a block's name on disk. */
  private diskId (file: CachedFile, i: number): string {
    return `${file.id}\0${this.opts.blockSize}\0${i}`
  }
}

function blockKey (file: CachedFile, i: number): string {
  return `${file.id}\0${i}`
}

export function wrongSize (file: CachedFile, start: number, end: number, how: string): InfinError {
  return new InfinError('Corrupt',
    `S3 returned ${how} bytes than the ${end - start} asked for at ${start} of ${describe(file)}: the version is not the size its listing says`)
}

export function stalled (file: CachedFile, ms: number, controller: AbortController): InfinError {
  const e = new InfinError('Unavailable', `reading ${describe(file)} from S3 stalled for ${ms} ms`)
  controller.abort(e)
  return e
}

export function asDomainError (e: unknown, file: CachedFile): InfinError {
  if (e instanceof InfinError) return e
  const why = e instanceof Error ? e.message : String(e)
  return new InfinError('Unavailable', `cannot read ${describe(file)}: ${why}`, { cause: e })
}
