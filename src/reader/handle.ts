import { InfinError } from '../core/errors.js'
import type { BlockCache } from './blocks.js'
import type { Deadlines } from './deadlines.js'
import { describe, type CachedFile, type Part } from './files.js'
import type { FirstAttempts, SharedAttempts } from './first-attempt.js'
import type { FileStream, FileStreams } from './file-streams.js'
import { Block } from './pool.js'
import type { Lent, ReadHandle } from './types.js'

/** What the handles of one reader share. */
export interface HandleContext {
  cache: BlockCache
  /** The open files' sequential streams, which a file's handles share. */
  streams: FileStreams
  /** The current bound on one stream's window. */
  windowCap: () => number
  /** The largest file fetched whole once it is read at random. */
  wholeCap: () => number
  /** Past this many bytes a sequential stream recycles the blocks it has read. */
  longStream: number
  /**
   * Files up to this size keep their blocks however they are read: they fit
   * the cache, and another reader of the process (the S3 gateway beside a
   * mount, a download) may want them next.
   */
  keepWhole: () => number
  readTimeoutMs: number
  /** The read deadlines of reads that wait for their blocks. */
  deadlines: Deadlines
  /**
   * The first attempts of one file's reads, shared by all its open handles:
   * the kernel reads ahead, and retries, through any open handle of a file.
   */
  attempts: SharedAttempts
  onRead: () => void
  onClose: () => void
}

/**
 * One open file. Reads are served from blocks; the handle detects streams
 * (shared with the file's other handles, see FileStreams) and reads ahead,
 * its window of blocks fetched by parallel ranged GETs of up to a part each,
 * or one paced GET. A file read at random that is small enough is
 * fetched whole, in parallel parts, behind the reads that wait.
 *
 * Reads copy out of the blocks (pinned meanwhile, so their memory is not
 * reused), so what a caller gets is its own, however long it holds it.
 */
export class FileHandle implements ReadHandle {
  /** The stream this handle's reads go through; none before the first read. */
  private stream: FileStream | undefined
  /** GETs of the whole file still waiting for a slot: a new stream keeps them. */
  private readonly whole = new Set<Part>()
  private wholeStarted = false
  /** Streams begun behind the furthest read of this file: random access (see fetchWhole). */
  private backward = 0
  /** End of the furthest read so far. */
  private furthest = 0
  private closed = false
  /** When reads first waited for each missing block: the read deadline counts from then. */
  private readonly attempts: FirstAttempts
  /** Blocks at or past this one are never fetched ahead: the caller announced it reads no further. */
  private readonly limit: number
  /** The caller reads nothing at or past this offset. */
  private readonly end: number

  constructor (private readonly ctx: HandleContext, readonly file: CachedFile, end = Infinity, private readonly once = false) {
    this.attempts = ctx.attempts.take(file.id)
    this.end = Math.min(end, file.version.size)
    this.limit = Math.min(ctx.cache.blocks(file), Math.ceil(this.end / ctx.cache.opts.blockSize))
  }

  async read (offset: number, length: number): Promise<Buffer> {
    const end = Math.min(offset + length, this.file.version.size)
    if (offset >= end) {
      this.check()
      return Buffer.alloc(0)
    }
    const out = Buffer.allocUnsafe(end - offset)
    await this.readInto(out, offset)
    return out
  }

  /** At once when the blocks are in memory (most reads of a stream read ahead): no promise to wait for. */
  readInto (target: Uint8Array, offset: number, answered?: () => boolean): number | Promise<number> {
    const got = this.pinned(offset, offset + target.length, answered)
    return got instanceof Promise ? got.then(p => copyOut(p, target)) : copyOut(got, target)
  }

  async lend (offset: number, length: number): Promise<Lent> {
    const got = await this.pinned(offset, offset + length)
    if (got === undefined) return { views: [], release: () => {} }
    return { views: viewsOf(got), release: got.release }
  }

  /**
   * The blocks holding [offset, end), pinned for the caller until it calls
   * `release`; undefined past the end of the version. Once `answered()` is
   * true it fails rather than hand them out.
   */
  private pinned (offset: number, to: number, answered?: () => boolean): Pinned | undefined | Promise<Pinned> {
    this.check()
    this.ctx.onRead()
    const { cache } = this.ctx
    const { blockSize } = cache.opts
    const end = Math.min(to, this.file.version.size)
    if (offset >= end) return undefined
    const mark = cache.loadsBegun
    const first = Math.floor(offset / blockSize)
    const last = Math.floor((end - 1) / blockSize)
    const stream = this.ctx.streams.streamFor(this.file.id, this.stream, offset, this.abandon)
    this.stream = stream
    const ahead = stream.readahead.next(offset, end, this.ctx.windowCap())
    if (ahead?.restarted === true) {
      cache.cancel(stream.queued)
      stream.taken.clear()
      stream.from = offset
    }
    if (ahead !== undefined) {
      const until = Math.max(last + 1, Math.min(this.limit, Math.ceil(ahead.until / blockSize)))
      cache.load(this.file, first, until, last + 1, stream.queued, stream.readahead.sequential ? this.limit : undefined)
    }
    if (ahead?.restarted === true && offset < this.furthest && ++this.backward >= 2) this.fetchWhole()
    this.furthest = Math.max(this.furthest, end)
    const wanted: Array<Block | Promise<Block>> = []
    const waiting: number[] = []
    const read = { waits: true }
    for (let i = first; i <= last; i++) {
      const joined = cache.loadBegunBefore(this.file, i, mark)
      const b = cache.block(this.file, i)
      wanted.push(b instanceof Block || !joined ? b : this.orAfresh(b, i, read))
      if (!(b instanceof Block)) waiting.push(i)
    }
    const at: ReadAt = { stream, first, offset, end, answered }
    if (waiting.length === 0) {
      read.waits = false
      return this.handOut(wanted as Block[], at)
    }
    stream.readahead.waited()
    return this.pinnedLater(wanted, waiting, read, at)
  }

  /** The blocks of a read that waits for some of them, once they are all in. */
  private async pinnedLater (wanted: Array<Block | Promise<Block>>, waiting: number[], read: { waits: boolean }, at: ReadAt): Promise<Pinned> {
    let blocks: Block[]
    try {
      blocks = await this.within(Promise.all(wanted), at.offset, waiting)
    } catch (e) {
      // Every block was handed out pinned, those still loading included.
      for (const w of wanted) {
        if (w instanceof Block) this.ctx.cache.pool.unpin(w)
        else w.then(b => { this.ctx.cache.pool.unpin(b) }, () => {})
      }
      throw e
    } finally {
      read.waits = false
    }
    return this.handOut(blocks, at)
  }

  /** Gives the read its pinned blocks, unless it was answered meanwhile: then they are unpinned and it fails. */
  private handOut (blocks: Block[], { stream, first, offset, end, answered }: ReadAt): Pinned {
    const { cache } = this.ctx
    try {
      if (answered?.() === true) throw new InfinError('Unavailable', `the read at ${offset} of ${describe(this.file)} was answered before its bytes came`)
      if (this.longStream(stream, offset) && this.file.version.size > this.ctx.keepWhole()) {
        this.took(stream, first, offset, end)
      }
    } catch (e) {
      for (const b of blocks) cache.pool.unpin(b)
      throw e
    }
    let released = false
    const release = (): void => {
      if (released) return
      released = true
      for (const b of blocks) cache.pool.unpin(b)
    }
    return { blocks, skip: offset - first * cache.opts.blockSize, length: end - offset, release }
  }

  /**
   * A block this read joined on its way (readahead, or another read's GET)
   * whose GET then fails is loaded once more for this read: a GET that
   * stalled or failed before this read began (a previous read gave up on
   * it, S3 has recovered since) must not fail a read that has not tried.
   * The read deadline still bounds the wait; a read that gave up starts
   * nothing.
   */
  private async orAfresh (loading: Promise<Block>, i: number, read: { waits: boolean }): Promise<Block> {
    try {
      return await loading
    } catch (e) {
      if (!read.waits || this.closed) throw e
      return await this.ctx.cache.block(this.file, i)
    }
  }

  /** Whether the read at `offset` is part of a long sequential stream. */
  private longStream (stream: FileStream, offset: number): boolean {
    const { longStream } = this.ctx
    if (this.once) return this.end - stream.from >= longStream
    return stream.readahead.sequential && offset - stream.from >= longStream
  }

  /** A stream no handle reads through any more: the readahead queued for it is not wanted. */
  private readonly abandon = (stream: FileStream): void => {
    this.ctx.cache.cancel(stream.queued)
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    if (this.stream !== undefined) this.ctx.streams.leave(this.file.id, this.stream, this.abandon)
    this.stream = undefined
    this.ctx.cache.cancel(this.whole)
    this.ctx.attempts.release(this.file.id)
    this.ctx.onClose()
  }

  private check (): void {
    if (this.closed) throw new Error('read after close')
  }

  /**
   * A second stream begun behind an earlier read means random access: past
   * a few reads, one GET per read costs more than fetching the file once
   * (s3fs, too, loads big parts around every read). So a file that fits is
   * fetched whole, as readahead behind the reads that wait. One step back is
   * common without random access (a format's footer, then its body), and
   * streams that only jump forward are a reader passing over what it does
   * not need, or the kernel asking for the few pages its cache dropped:
   * fetching the whole file for those would fetch what nobody reads.
   */
  private fetchWhole (): void {
    if (this.wholeStarted || this.file.version.size > this.ctx.wholeCap()) return
    this.wholeStarted = true
    this.ctx.cache.load(this.file, 0, this.limit, 0, this.whole)
  }

  /**
   * A long stream gives up each block it has read whole: it reads each byte
   * once (and the kernel keeps what FUSE readers read in its page cache),
   * and the block's memory is better spent on the blocks ahead than taken
   * afresh, whose page faults cost more than the bytes themselves. The
   * start of a stream stays cached, as do blocks read at random: those are
   * the ones read again (a format's header and footer, a file read by many
   * short requests).
   */
  private took (stream: FileStream, first: number, offset: number, end: number): void {
    const { cache } = this.ctx
    const { blockSize } = cache.opts
    for (let i = first; i * blockSize < end; i++) {
      const from = Math.max(offset, i * blockSize)
      const to = Math.min(end, (i + 1) * blockSize)
      const read = (stream.taken.get(i) ?? 0) + to - from
      if (read < cache.lengthOf(this.file, i)) {
        stream.taken.set(i, read)
        continue
      }
      stream.taken.delete(i)
      cache.drop(this.file, i)
    }
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
  private async within (work: Promise<Block[]>, offset: number, waiting: number[]): Promise<Block[]> {
    const ms = this.ctx.readTimeoutMs
    const { cache } = this.ctx
    const firstAttempt = Date.now() + this.attempts.timeLeft(waiting, cache.lastProgress) - ms
    const idle = (): number => Date.now() - Math.max(firstAttempt, cache.lastProgress)
    const late = (): InfinError => {
      this.attempts.timedOut(firstAttempt)
      return new InfinError('Unavailable',
        `read at ${offset} of ${describe(this.file)}: no bytes from S3 for ${ms} ms (counted from the first attempt)`)
    }
    if (idle() >= ms) {
      work.catch(() => {})
      throw late()
    }
    let withdraw = (): void => {}
    const timeout = new Promise<never>((_resolve, reject) => {
      withdraw = this.ctx.deadlines.add(() => Math.max(firstAttempt, cache.lastProgress) + ms, () => { reject(late()) })
    })
    try {
      const blocks = await Promise.race([work, timeout])
      this.attempts.arrived(waiting)
      return blocks
    } finally {
      withdraw()
    }
  }
}

/** A read under way: where it reads, through which stream, and whether its caller has answered. */
interface ReadAt {
  stream: FileStream
  first: number
  offset: number
  end: number
  answered?: () => boolean
}

/** Blocks a read holds pinned: its bytes are `length` bytes from `skip` into them. */
interface Pinned {
  blocks: Block[]
  skip: number
  length: number
  release: () => void
}

/** Copies the pinned bytes into `target` and lets the blocks go; says how many. */
function copyOut (got: Pinned | undefined, target: Uint8Array): number {
  if (got === undefined) return 0
  try {
    let at = 0
    for (const view of viewsOf(got)) {
      target.set(view, at)
      at += view.length
    }
    return got.length
  } finally {
    got.release()
  }
}

/** The pinned bytes as views of their blocks, in order. */
function viewsOf (got: Pinned): Buffer[] {
  const views: Buffer[] = []
  for (let at = 0, n = 0; at < got.length; n++) {
    const b = got.blocks[n]
    const from = n === 0 ? got.skip : 0
    const to = Math.min(b.length, from + got.length - at)
    views.push(b.memory.subarray(from, to))
    at += to - from
  }
  return views
}
