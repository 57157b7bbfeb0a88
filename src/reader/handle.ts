import { InfinError } from '../core/errors.js'
import { describe, type BlockCache, type CachedFile, type Part } from './blocks.js'
import { FirstAttempts } from './first-attempt.js'
import { Follower } from './follower.js'
import { Readahead, type ReadaheadOptions } from './readahead.js'
import type { ReadHandle } from './types.js'

/** What the handles of one reader share. */
export interface HandleContext {
  cache: BlockCache
  readahead: ReadaheadOptions
  /** The current bound on one stream's window. */
  windowCap: () => number
  /** A long GET may start now (the source streams, and fewer than the limit are open). */
  mayFollow: () => boolean
  /** A long GET of blocks [from, until). */
  startFollower: (file: CachedFile, from: number, until: number) => Follower
  readTimeoutMs: number
  onRead: () => void
  onClose: () => void
}

/**
 * One open file. Reads are served from blocks; the handle detects streams
 * and reads ahead, first with bounded GETs and, once a stream is sequential
 * and the source can stream, with one long GET that follows the reader.
 */
export class FileHandle implements ReadHandle {
  private readonly readahead: Readahead
  /** Bounded readahead GETs of this handle still waiting for a slot. */
  private readonly queued = new Set<Part>()
  private follower: Follower | undefined
  /** The stream's requested end at the last try to start a follower. */
  private triedAt = -1
  /** Bumped when the stream restarts or the handle closes: late answers for the old one are dropped. */
  private generation = 0
  private closed = false
  /** When reads first waited for each missing block: the read deadline counts from then. */
  private readonly attempts: FirstAttempts
  /** Blocks past the caller's announced end are never fetched ahead. */
  private readonly limit: number

  constructor (private readonly ctx: HandleContext, readonly file: CachedFile, end = Infinity) {
    this.readahead = new Readahead(ctx.readahead)
    this.attempts = new FirstAttempts(ctx.readTimeoutMs)
    const { blockSize } = ctx.cache.opts
    this.limit = Math.min(ctx.cache.blocks(file), Math.ceil(Math.min(end, file.version.size) / blockSize))
  }

  async read (offset: number, length: number): Promise<Buffer> {
    if (this.closed) throw new Error('read after close')
    this.ctx.onRead()
    const { cache } = this.ctx
    const { blockSize } = cache.opts
    const end = Math.min(offset + length, this.file.version.size)
    if (offset >= end) return Buffer.alloc(0)
    const first = Math.floor(offset / blockSize)
    const last = Math.floor((end - 1) / blockSize)
    const ahead = this.readahead.next(offset, end, this.ctx.windowCap())
    if (ahead?.restarted === true) this.dropReadahead()
    if (this.readahead.sequential) this.follow(first, Math.min(this.limit, Math.ceil(this.readahead.requestedEnd / blockSize)))
    if (ahead !== undefined) cache.load(this.file, first, Math.max(last + 1, Math.min(this.limit, Math.ceil(ahead.until / blockSize))), last + 1, this.queued)
    const blocks: Array<Buffer | Promise<Buffer>> = []
    const waiting: number[] = []
    for (let i = first; i <= last; i++) {
      const b = cache.block(this.file, i)
      blocks.push(b)
      if (!(b instanceof Buffer)) waiting.push(i)
    }
    const ready = waiting.length === 0
      ? blocks as Buffer[]
      : await this.within(Promise.all(blocks), offset, waiting)
    return slice(ready, offset - first * blockSize, end - offset)
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.dropReadahead()
    this.ctx.onClose()
  }

  private dropReadahead (): void {
    this.generation++
    this.ctx.cache.cancel(this.queued)
    this.follower?.stop()
    this.follower = undefined
  }

  /** Lets the follower serve the window [.., until), starting one if none is running. */
  private follow (first: number, until: number): void {
    if (this.following) {
      this.follower?.extend(until)
      return
    }
    const requested = this.readahead.requestedEnd
    if (requested === this.triedAt || !this.ctx.mayFollow()) return
    this.triedAt = requested
    const from = this.firstMissing(first, until)
    if (from === undefined) return
    if (!this.ctx.cache.hasDisk) {
      this.startFollower(from, until)
      return
    }
    // Blocks on disk are better read from there than streamed again.
    const generation = this.generation
    void this.ctx.cache.onDisk(this.file, from).then(onDisk => {
      if (onDisk || generation !== this.generation || this.following || !this.ctx.mayFollow()) return
      const now = Math.min(this.limit, Math.ceil(this.readahead.requestedEnd / this.ctx.cache.opts.blockSize))
      const start = this.firstMissing(from, now)
      if (start !== undefined) this.startFollower(start, now)
    })
  }

  private get following (): boolean {
    return this.follower !== undefined && !this.follower.stopped
  }

  /**
   * The first block from `first` that nothing is loading yet, up to just
   * past the window: starting there, the follower's request goes out before
   * its bytes are due.
   */
  private firstMissing (first: number, until: number): number | undefined {
    const { cache } = this.ctx
    const stop = Math.min(until + 1, this.limit)
    for (let i = first; i < stop; i++) if (cache.missing(this.file, i)) return i
    return undefined
  }

  private startFollower (from: number, until: number): void {
    this.follower = this.ctx.startFollower(this.file, from, this.limit)
    this.follower.extend(until)
  }

  /**
   * Waits for the blocks, but gives up once S3 has delivered nothing for
   * `readTimeoutMs`, counted from the first read that waited for any of them:
   * then S3 is down or stuck, and the read fails with EIO rather than hang.
   * The kernel retries a failed read at once, and that retry fails at once
   * (a stalled S3 gives EIO after 8 s, not 16). A read that waits its turn
   * while other GETs bring bytes (many readers, or a machine starved of CPU)
   * is not failed: time without progress counts, not time in the queue.
   */
  private async within (work: Promise<Buffer[]>, offset: number, waiting: number[]): Promise<Buffer[]> {
    const ms = this.ctx.readTimeoutMs
    const { cache } = this.ctx
    const firstAttempt = Date.now() + this.attempts.timeLeft(waiting) - ms
    const idle = (): number => Date.now() - Math.max(firstAttempt, cache.lastProgress)
    const late = (): InfinError => new InfinError('Unavailable',
      `read at ${offset} of ${describe(this.file)}: no bytes from S3 for ${ms} ms (counted from the first attempt)`)
    if (idle() >= ms) {
      work.catch(() => {})
      throw late()
    }
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      const check = (): void => {
        const quiet = idle()
        if (quiet >= ms) reject(late())
        else timer = setTimeout(check, ms - quiet)
      }
      timer = setTimeout(check, ms - idle())
    })
    try {
      const blocks = await Promise.race([work, timeout])
      this.attempts.arrived(waiting)
      return blocks
    } finally {
      clearTimeout(timer)
    }
  }
}

/** `length` bytes from `skip` into consecutive blocks. */
function slice (blocks: Buffer[], skip: number, length: number): Buffer {
  if (blocks.length === 1) return blocks[0].subarray(skip, skip + length)
  const out = Buffer.allocUnsafe(length)
  let at = 0
  for (const [n, b] of blocks.entries()) {
    const from = n === 0 ? skip : 0
    at += b.copy(out, at, from, Math.min(b.length, from + length - at))
  }
  return out
}
