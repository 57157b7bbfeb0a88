import { LRUCache } from 'lru-cache'
import { InfinError } from '../../core/errors.js'
import type { Version } from '../../core/versions.js'
import type { DiskCache } from './disk-cache.js'
import type { Job, Scheduler } from './scheduler.js'
import type { RangeFetch } from './types.js'

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

export interface BlockCacheOptions {
  blockSize: number
  cacheBytes: number
  /** Largest GET, in bytes (rounded down to whole blocks). */
  partSize: number
  /** Deadline of one GET, retries included. */
  getTimeoutMs: number
}

export interface BlockStats {
  /** Blocks a read found in memory. */
  hits: number
  /** Blocks a read had to wait for (from disk or S3). */
  misses: number
  /** Blocks loaded from the disk cache. */
  diskHits: number
  gets: number
  failedGets: number
  bytesFetched: number
  /** Bytes of GETs under way: with bounded concurrency and part size, this is bounded too. */
  inflightBytes: number
  peakInflightBytes: number
}

/** A group of blocks loaded by one GET; a handle keeps its readahead parts to cancel them. */
export interface Part {
  file: CachedFile
  from: number
  to: number
  job?: Job
  owner?: Set<Part>
}

interface Pending {
  promise: Promise<Buffer>
  resolve: (b: Buffer) => void
  reject: (e: unknown) => void
  /** A read waits for it: its GET must not wait behind readahead. */
  urgent: boolean
  part?: Part
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

  private readonly memory: LRUCache<string, Buffer>
  private readonly pending = new Map<string, Pending>()
  private readonly partBlocks: number

  constructor (
    private readonly fetch: RangeFetch,
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

  /**
   * Starts loading blocks [from, to) that are neither cached nor loading.
   * Blocks before `urgentTo` are wanted by a read now; the others are
   * readahead, which `owner` may cancel while it waits for a slot.
   */
  load (file: CachedFile, from: number, to: number, urgentTo: number, owner?: Set<Part>): void {
    const missing: number[] = []
    for (let i = from; i < Math.min(to, this.blocks(file)); i++) {
      const key = blockKey(file, i)
      if (this.pending.has(key) || this.memory.has(key)) continue
      let resolve!: (b: Buffer) => void
      let reject!: (e: unknown) => void
      const promise = new Promise<Buffer>((res, rej) => { resolve = res; reject = rej })
      // Readahead nobody waits for may fail; that is no unhandled rejection.
      promise.catch(() => {})
      this.pending.set(key, { promise, resolve, reject, urgent: i < urgentTo })
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

  private async fill (file: CachedFile, indices: number[], owner: Set<Part> | undefined): Promise<void> {
    const urgent = indices.some(i => this.pending.get(blockKey(file, i))?.urgent === true)
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
    let remaining = indices
    if (this.disk !== undefined) {
      const disk = this.disk
      const found = await Promise.all(indices.map(async i =>
        await disk.get(this.diskId(file, i), this.lengthOf(file, i))))
      remaining = []
      for (const [n, i] of indices.entries()) {
        const data = found[n]
        if (data === undefined) {
          remaining.push(i)
        } else {
          this.stats.diskHits++
          this.settle(blockKey(file, i), data)
        }
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
        await this.get(part)
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

  /** One GET for a part; settles every block of it, never rejects. */
  private async get (part: Part): Promise<void> {
    const { file } = part
    const { blockSize, getTimeoutMs } = this.opts
    const start = part.from * blockSize
    const end = Math.min(part.to * blockSize, file.version.size)
    const bytes = end - start
    this.stats.gets++
    this.stats.inflightBytes += bytes
    this.stats.peakInflightBytes = Math.max(this.stats.peakInflightBytes, this.stats.inflightBytes)
    try {
      const data = await withDeadline(
        signal => this.fetch(file.bucket, file.version, start, end, signal), getTimeoutMs, file)
      if (data.length !== bytes) {
        throw new InfinError('Corrupt',
          `S3 returned ${data.length} bytes for ${bytes} at ${start} of ${describe(file)}: the version changed size`)
      }
      this.stats.bytesFetched += bytes
      for (let i = part.from; i < part.to; i++) {
        const block = ownCopy(data.subarray((i - part.from) * blockSize, Math.min((i - part.from + 1) * blockSize, bytes)))
        this.settle(blockKey(file, i), block)
        this.disk?.put(this.diskId(file, i), block)
      }
    } catch (e) {
      this.stats.failedGets++
      const err = asDomainError(e, file)
      for (const k of this.blockKeys(part)) this.fail(k, err)
    } finally {
      this.stats.inflightBytes -= bytes
    }
  }

  private settle (key: string, data: Buffer): void {
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

  private lengthOf (file: CachedFile, i: number): number {
    return Math.min(this.opts.blockSize, file.version.size - i * this.opts.blockSize)
  }

  /** Other processes may use other block sizes: the size is part of a block's name on disk. */
  private diskId (file: CachedFile, i: number): string {
    return `${file.id}\0${this.opts.blockSize}\0${i}`
  }
}

function blockKey (file: CachedFile, i: number): string {
  return `${file.id}\0${i}`
}

function describe (file: CachedFile): string {
  return `s3://${file.bucket}/${file.version.key} (version ${file.version.versionId})`
}

/**
 * A block must not keep its whole GET buffer alive (the LRU counts only the
 * block), so it gets its own memory unless it already owns all of it.
 */
function ownCopy (b: Buffer): Buffer {
  if (b.byteOffset === 0 && b.buffer.byteLength === b.length) return b
  return Buffer.from(b)
}

/** Runs `fetch` with an abort signal, and gives up at the deadline even if the fetch ignores it. */
async function withDeadline (fetch: (signal: AbortSignal) => Promise<Buffer>, ms: number, file: CachedFile): Promise<Buffer> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const e = new InfinError('Unavailable', `reading ${describe(file)} from S3 took longer than ${ms} ms`)
      controller.abort(e)
      reject(e)
    }, ms)
  })
  try {
    return await Promise.race([fetch(controller.signal), deadline])
  } finally {
    clearTimeout(timer)
  }
}

function asDomainError (e: unknown, file: CachedFile): InfinError {
  if (e instanceof InfinError) return e
  const why = e instanceof Error ? e.message : String(e)
  return new InfinError('Unavailable', `cannot read ${describe(file)}: ${why}`, { cause: e })
}
