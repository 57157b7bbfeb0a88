import { InfinError } from '../core/errors.js'
import { describe, type BlockCache, type CachedFile, type Part } from './blocks.js'
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
  /** Blocks past the caller's announced end are never fetched ahead. */
  private readonly limit: number

  constructor (private readonly ctx: HandleContext, readonly file: CachedFile, end = Infinity) {
    this.readahead = new Readahead(ctx.readahead)
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
    for (let i = first; i <= last; i++) blocks.push(cache.block(this.file, i))
    const ready = blocks.every(b => b instanceof Buffer)
      ? blocks as Buffer[]
      : await this.within(Promise.all(blocks), offset)
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

  /** Waits for the blocks, but answers before FUSE's op timeout would. */
  private async within (work: Promise<Buffer[]>, offset: number): Promise<Buffer[]> {
    const ms = this.ctx.readTimeoutMs
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new InfinError('Unavailable',
        `read at ${offset} of ${describe(this.file)} took longer than ${ms} ms`)), ms)
    })
    try {
      return await Promise.race([work, late])
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
