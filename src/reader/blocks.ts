import { LRUCache } from 'lru-cache'
import type { DiskCache } from './disk-cache.js'
import { asDomainError, blockKey, describe, stalled, wrongSize, type CachedFile, type Part } from './files.js'
import { BlockFill } from './fill.js'
import type { Block, BlockPool } from './pool.js'
import type { Scheduler } from './scheduler.js'
import { PacedStreams, type Stream } from './streams.js'
import type { RangeInto } from './types.js'

export interface BlockCacheOptions {
  blockSize: number
  cacheBytes: number
  /** Largest GET, in bytes (rounded down to whole blocks). */
  partSize: number
  /** A GET fails when no bytes arrive for this long (retries included). */
  getTimeoutMs: number
  /** The source waits while a sink is full (see ByteSink.full), so a sequential reader can be fed by one paced GET. */
  paced: boolean
  /** Bytes per second below which a paced stream hands its reader to parts (see ReaderOptions.minStreamRate). */
  minStreamRate: number
}

export interface BlockStats {
  /** Blocks a read found in memory. */
  hits: number
  /** Blocks a read had to wait for (from disk or S3). */
  misses: number
  /** Blocks loaded from the disk cache. */
  diskHits: number
  /** GET requests sent. */
  gets: number
  failedGets: number
  bytesFetched: number
  /** Bytes asked of S3 and not yet delivered as blocks. */
  inflightBytes: number
  peakInflightBytes: number
}

interface Pending {
  promise: Promise<Block>
  resolve: (b: Block) => void
  reject: (e: unknown) => void
  /** Reads waiting for it; each gets the block pinned once. */
  waiters: number
  /** The load's number: loads are numbered as they begin. */
  seq: number
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
 * being loaded is `pending`, and later reads share it. A failed load leaves
 * nothing behind, so the next read tries again.
 *
 * Block memory comes from a pool and goes back to it when the LRU drops a
 * block that nothing references: a read pins the blocks it copies from
 * (`block` hands them out pinned; the caller unpins), and the disk cache
 * pins what it is writing.
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

  /** Block loads begun so far. */
  loadsBegun = 0

  private readonly memory: LRUCache<string, Block>
  private readonly pending = new Map<string, Pending>()
  private readonly streams: PacedStreams
  private readonly partBlocks: number

  constructor (
    private readonly source: RangeInto,
    private readonly scheduler: Scheduler,
    private readonly disk: DiskCache | undefined,
    readonly pool: BlockPool,
    readonly opts: BlockCacheOptions
  ) {
    this.memory = new LRUCache<string, Block>({
      maxSize: opts.cacheBytes,
      sizeCalculation: b => b.memory.length,
      dispose: b => { pool.uncache(b) }
    })
    this.partBlocks = Math.max(1, Math.floor(opts.partSize / opts.blockSize))
    this.streams = new PacedStreams({
      scheduler,
      partBlocks: this.partBlocks,
      minRate: opts.minStreamRate,
      claim: (part, from, to) => this.claim(part, from, to),
      send: (part, owner, stream) => { this.send(part, owner, stream) },
      owe: (file, from, to) => { this.stats.inflightBytes += this.span(file, from, to) },
      pendingOf: (part, from, to) => this.owned(part, from, to)
    })
  }

  get cachedBytes (): number { return this.memory.calculatedSize }

  /** Number of blocks of a file. */
  blocks (file: CachedFile): number {
    return Math.ceil(file.version.size / this.opts.blockSize)
  }

  lengthOf (file: CachedFile, i: number): number {
    return Math.min(this.opts.blockSize, file.version.size - i * this.opts.blockSize)
  }

  /**
   * Block `i` for a read, pinned: now if in memory, else once loaded (ahead
   * of readahead). The caller unpins it when done with its bytes.
   */
  block (file: CachedFile, i: number): Block | Promise<Block> {
    const key = blockKey(file, i)
    const hit = this.memory.get(key)
    if (hit !== undefined) {
      this.stats.hits++
      this.pool.pin(hit)
      return hit
    }
    this.stats.misses++
    let p = this.pending.get(key)
    if (p === undefined) {
      this.load(file, i, i + 1, i + 1)
      p = this.pending.get(key) as Pending
    }
    p.urgent = true
    p.waiters++
    const job = p.part?.job
    if (job !== undefined) this.scheduler.promote(job)
    return p.promise
  }

  /** True when block `i` is in the disk cache. */
  async onDisk (file: CachedFile, i: number): Promise<boolean> {
    return await (this.disk?.has(this.diskId(file, i)) ?? false)
  }

  /** True when block `i` is on its way by a load begun before `loadsBegun` was `mark`. */
  loadBegunBefore (file: CachedFile, i: number, mark: number): boolean {
    const p = this.pending.get(blockKey(file, i))
    return p !== undefined && p.seq < mark
  }

  /** True when block `i` is neither in memory nor on its way. */
  missing (file: CachedFile, i: number): boolean {
    const key = blockKey(file, i)
    return !this.pending.has(key) && !this.memory.has(key)
  }

  /**
   * Starts loading blocks [from, to) that are neither cached nor loading.
   * Blocks before `urgentTo` are wanted by a read now; the others are
   * readahead, which `owner` may cancel while it waits for a slot. A
   * sequential reader's readahead goes to its file's paced stream, whose GET
   * runs up to block `pacedTo` (given for such a reader only).
   */
  load (file: CachedFile, from: number, to: number, urgentTo: number, owner?: Set<Part>, pacedTo?: number): void {
    const missing: number[] = []
    for (let i = from; i < Math.min(to, this.blocks(file)); i++) {
      if (!this.missing(file, i)) continue
      this.markPending(file, i, i < urgentTo)
      missing.push(i)
    }
    if (missing.length > 0) void this.fill(file, missing, owner, pacedTo, urgentTo)
  }

  /** Forgets block `i` if cached: its memory goes back to the pool once no read holds it. */
  drop (file: CachedFile, i: number): void {
    this.memory.delete(blockKey(file, i))
  }

  /** Drops the owner's readahead that has not started yet, and its stream if that waits for it. */
  cancel (owner: Set<Part>): void {
    this.streams.cancel(owner)
    for (const part of owner) {
      if (part.job === undefined || !this.scheduler.cancel(part.job)) continue
      owner.delete(part)
      this.streams.dropped(part)
      for (let i = part.from; i < part.to; i++) {
        // A read may have come to wait for a block meanwhile: it keeps its load.
        const key = blockKey(part.file, i)
        const p = this.pending.get(key)
        if (p?.part === part && !p.urgent) this.fail(key, new Cancelled())
      }
    }
  }

  private markPending (file: CachedFile, i: number, urgent: boolean): Pending {
    let resolve!: (b: Block) => void
    let reject!: (e: unknown) => void
    const promise = new Promise<Block>((res, rej) => { resolve = res; reject = rej })
    // Readahead nobody waits for may fail; that is no unhandled rejection.
    promise.catch(() => {})
    const p: Pending = { promise, resolve, reject, urgent, waiters: 0, seq: this.loadsBegun++ }
    this.pending.set(blockKey(file, i), p)
    return p
  }

  private async fill (file: CachedFile, indices: number[], owner: Set<Part> | undefined, pacedTo: number | undefined, readTo: number): Promise<void> {
    const urgent = indices.some(i => this.pending.get(blockKey(file, i))?.urgent === true)
    // A read looking on disk first will need a slot soon: keep readahead from taking it.
    const release = urgent && this.disk !== undefined ? this.scheduler.hold() : undefined
    try {
      // Trouble with the disk cache is a miss: S3 still has the bytes.
      const missing = await this.fromDisk(file, indices)
        .catch(() => indices.filter(i => this.pending.has(blockKey(file, i))))
      const rest = pacedTo !== undefined && this.opts.paced && owner !== undefined && missing.length > 0
        ? this.streams.take(file, missing, owner, pacedTo, readTo)
        : missing
      this.schedule(file, rest, owner)
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
        continue
      }
      this.stats.diskHits++
      this.lastProgress = Date.now()
      const b = this.pool.take(data.length)
      data.copy(b.memory)
      this.settle(blockKey(file, i), b)
    }
    return remaining
  }

  /** Sends GETs for blocks: those a read waits for now, the rest as readahead. */
  private schedule (file: CachedFile, indices: number[], owner: Set<Part> | undefined): void {
    for (const part of this.parts(file, indices)) this.send(part, owner)
  }

  /** Queues the GET of a part (or a stream): at once if a read waits for one of its blocks. */
  private send (part: Part, owner: Set<Part> | undefined, stream?: Stream): void {
    const urgent = this.claim(part, part.from, part.to)
    const run = async (): Promise<void> => {
      part.owner?.delete(part)
      try {
        // Cancelled or loaded by another part meanwhile: nothing left to get.
        if (this.owned(part, part.from, part.to).length > 0) await this.get(part, stream)
      } finally {
        if (stream !== undefined) this.streams.done(stream)
      }
    }
    if (urgent) {
      void this.scheduler.now(run)
      return
    }
    part.owner = owner
    part.job = this.scheduler.later(run)
    owner?.add(part)
  }

  /** Makes the pending blocks among [from, to) the part's; true when a read waits for one of them. */
  private claim (part: Part, from: number, to: number): boolean {
    let urgent = false
    for (let i = from; i < to; i++) {
      const p = this.pending.get(blockKey(part.file, i))
      if (p === undefined) continue
      p.part = part
      urgent ||= p.urgent
    }
    return urgent
  }

  /** The blocks among [from, to) still pending as the part's. */
  private owned (part: Part, from: number, to: number): number[] {
    const out: number[] = []
    for (let i = from; i < to; i++) if (this.pending.get(blockKey(part.file, i))?.part === part) out.push(i)
    return out
  }

  /** Bytes of blocks [from, to) of a file. */
  private span (file: CachedFile, from: number, to: number): number {
    return Math.min(to * this.opts.blockSize, file.version.size) - Math.min(from * this.opts.blockSize, file.version.size)
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

  /**
   * One GET for a part, or for a stream (to the end of the file, paced);
   * settles each block as its bytes arrive, never rejects.
   */
  private async get (part: Part, stream?: Stream): Promise<void> {
    const { file } = part
    const start = part.from * this.opts.blockSize
    const last = stream?.last ?? part.to
    const end = Math.min(last * this.opts.blockSize, file.version.size)
    /** Bytes of wanted blocks delivered (a stream may fill blocks past those before it waits). */
    let delivered = 0
    this.stats.gets++
    this.stats.inflightBytes += this.span(file, part.from, part.to)
    this.stats.peakInflightBytes = Math.max(this.stats.peakInflightBytes, this.stats.inflightBytes)
    const controller = new AbortController()
    const fill = new BlockFill(this.pool, i => this.lengthOf(file, i), part.from, last, (i, b) => {
      if (i < part.to) {
        delivered += b.length
        this.stats.inflightBytes -= b.length
      }
      this.deliver(file, i, b)
    }, () => wrongSize(file, start, end, 'more'), now => { this.lastProgress = now })
    if (stream !== undefined) {
      fill.narrow(part.to)
      fill.onWait = () => { this.streams.waiting(stream) }
      stream.fill = fill
      stream.end = () => {
        stream.over = true
        controller.abort(new Cancelled())
        fill.stop()
      }
    }
    const ms = this.opts.getTimeoutMs
    let timer: NodeJS.Timeout | undefined
    // Fails the GET when no bytes came for `ms`, even from a source that ignores its signal.
    const watchdog = new Promise<never>((_resolve, reject) => {
      const check = (): void => {
        const idle = Date.now() - fill.lastBytes
        if (fill.waiting || idle < ms) { timer = setTimeout(check, fill.waiting ? ms : ms - idle); return }
        reject(stalled(file, ms, controller))
      }
      timer = setTimeout(check, ms)
    })
    try {
      await Promise.race([this.source(file.bucket, file.version, start, end, fill, controller.signal), watchdog])
      if (!fill.complete) throw wrongSize(file, start, end, 'fewer')
    } catch (e) {
      // A stream ended while it waited for its reader has delivered all it was asked for.
      if (stream?.over === true && fill.next >= part.to) return
      this.stats.failedGets++
      // A source still running must stop writing into blocks before they go back to the pool.
      if (!controller.signal.aborted) controller.abort(e)
      const err = asDomainError(e, file)
      for (let i = fill.next; i < part.to; i++) this.fail(blockKey(file, i), err)
    } finally {
      if (stream !== undefined) stream.over = true
      clearTimeout(timer)
      fill.stop()
      this.stats.inflightBytes -= this.span(file, part.from, part.to) - delivered
    }
  }

  /** Takes a block a GET filled (with the GET's reference): into the disk cache, memory, and to anyone waiting. */
  private deliver (file: CachedFile, i: number, block: Block): void {
    this.stats.bytesFetched += block.length
    const key = blockKey(file, i)
    if (!this.pending.has(key) && this.memory.has(key)) {
      this.pool.unpin(block)
      return
    }
    if (this.disk !== undefined) {
      this.pool.pin(block)
      this.disk.put(this.diskIdOf(key), block.bytes, () => { this.pool.unpin(block) })
    }
    this.settle(key, block)
  }

  /** Caches a block that holds one reference (its filler's), hands it to waiting reads, drops that reference. */
  private settle (key: string, block: Block): void {
    const p = this.pending.get(key)
    this.pending.delete(key)
    block.refs += p?.waiters ?? 0
    block.cached = true
    this.memory.set(key, block)
    // A block larger than the whole cache is not kept; its readers still get it.
    if (!this.memory.has(key)) block.cached = false
    p?.resolve(block)
    this.pool.unpin(block)
  }

  private fail (key: string, e: unknown): void {
    const p = this.pending.get(key)
    this.pending.delete(key)
    p?.reject(e)
  }

  /** Other processes may use other block sizes: the size is part of a block's name on disk. */
  private diskId (file: CachedFile, i: number): string {
    return this.diskIdOf(blockKey(file, i))
  }

  private diskIdOf (key: string): string {
    const cut = key.lastIndexOf('\0')
    return `${key.slice(0, cut)}\0${this.opts.blockSize}${key.slice(cut)}`
  }
}
