export interface ReadaheadOptions {
  /** Bytes fetched past the first read of a stream: one GET then covers a small random read and a bit more. */
  initial: number
  /**
   * How far behind the furthest read a read may start and still count as
   * sequential, at least; a stream's window widens it (up to `forward`),
   * since the kernel splits its own readahead into requests that arrive
   * in any order.
   */
  backward: number
  /** How far past the furthest read a read may start and still count as sequential. */
  forward: number
  /** The least a sequential stream asks for at once (a part): fewer, larger GETs. */
  step: number
  /**
   * Whether more in flight could help now. A read that waits because the
   * process is busy (CPU-bound) gains nothing from a wider window, which
   * only costs memory; one that waits on a slow connection does.
   */
  idle?: () => boolean
}

export interface Prefetch {
  /** Bytes up to this offset should be cached or on their way. */
  until: number
  /** A new stream began: readahead queued for the old one is no longer wanted. */
  restarted: boolean
}

/**
 * How much a waiting stream's window grows at once, as mountpoint-s3's
 * prefetcher does (its sequential_prefetch_multiplier): 1 MiB, a part, then
 * 64 MiB. Doubling took the first 30 MiB of a cold read to reach the 8
 * parts in flight that an S3-like network needs (each connection 80 MiB/s),
 * and the read of 256 MiB went 282 against 335 MiB/s (bench/src/readprof.ts,
 * 5 pairs, 1.10 to 1.24).
 */
const GROWTH = 8

/**
 * Sequential-read detection for one open file, shaped like mountpoint-s3's
 * prefetcher. A stream starts with a small window; as the reader consumes
 * it, more is requested, at least a part at a time (each part one GET, the
 * parts in flight at once), and the window grows eightfold (up to a cap, and
 * at least to a part) if a read had to wait meanwhile: it grows until it
 * hides S3's latency and per-connection rate, and no further, since every
 * byte ahead is memory.
 * Reads that arrive slightly out of order, re-read a little, or skip a
 * little keep the stream; a bigger jump starts a new one.
 */
export class Readahead {
  /** End of the furthest read of the current stream; -1 before the first read. */
  private furthest = -1
  /** Where the current stream's first read began. */
  private start = 0
  /** Offset up to which the stream has asked for data. */
  private requested = 0
  private window = 0
  /** A read of the stream waited for its bytes since the window last changed. */
  private starved = false
  /** Bytes the current stream's reads asked for. */
  private covered = 0

  /** The last read continued a stream rather than starting one. */
  sequential = false

  constructor (private readonly opts: ReadaheadOptions) {}

  /** Offset up to which the current stream has asked for data. */
  get requestedEnd (): number { return this.requested }

  /** End of the stream's furthest read; -1 before its first. */
  get furthestEnd (): number { return this.furthest }

  /** A read had to wait for its bytes: the window is too small to hide S3's latency. */
  waited (): void { this.starved = true }

  /**
   * How far behind the furthest read a read still continues the stream:
   * the kernel hands its own readahead over out of order, up to what the
   * stream has asked for.
   */
  private behind (): number {
    return Math.max(this.opts.backward, Math.min(Math.max(this.window, this.opts.step), this.opts.forward))
  }

  /**
   * Whether the stream's reads ask for under a quarter of what they span,
   * past the first window: the kernel asks only for pages its cache lacks,
   * so a reader going through a file the kernel mostly holds (pages it
   * dropped since an earlier read) leaves such a trail. Reading ahead then
   * fetches what the kernel has: each read gets its own blocks only.
   * A sequential reader's requests, even out of order, cover what they span.
   */
  private sparse (): boolean {
    const span = this.furthest - this.start
    return span > 2 * this.opts.initial && this.covered * 4 < span
  }

  /** Whether a read starting at `offset` would continue this stream. */
  continues (offset: number): boolean {
    // The kernel's out-of-order reads come from within what the stream has read.
    return this.furthest >= 0 && offset >= Math.max(this.furthest - this.behind(), this.start - this.opts.backward) &&
      offset <= this.furthest + this.opts.forward
  }

  /**
   * Records a read of [offset, end) and says how far to prefetch now, or
   * undefined when what was already requested suffices. `cap` bounds the
   * window (it shrinks when many files share the cache).
   */
  next (offset: number, end: number, cap: number): Prefetch | undefined {
    const { initial, step } = this.opts
    const sequential = this.continues(offset)
    this.sequential = sequential
    if (!sequential) {
      this.start = offset
      this.furthest = end
      this.window = initial
      this.starved = false
      this.covered = end - offset
      this.requested = end + initial
      return { until: this.requested, restarted: true }
    }
    this.furthest = Math.max(this.furthest, end)
    this.covered += end - offset
    if (this.sparse()) return undefined
    // A window of several parts asks for the next as soon as one is read
    // (a steady number in flight); a smaller one when half of it is read.
    const room = step > 0 ? Math.min(step, this.window / 2) : this.window / 2
    if (this.requested - this.furthest > this.window - room) return undefined
    const grow = this.starved && (this.opts.idle?.() ?? true)
    // A stream already asks for a part at a time: one that waits grows
    // straight to a part's window, not through smaller ones, each of which
    // would cost a part's worth of reading with fewer GETs in flight.
    this.window = Math.max(initial, Math.min(grow ? Math.max(this.window * GROWTH, step) : this.window, cap))
    this.starved = false
    const stepped = Math.min(this.requested + step, this.furthest + Math.max(cap, step))
    this.requested = Math.max(this.furthest + this.window, stepped)
    return { until: this.requested, restarted: false }
  }
}
