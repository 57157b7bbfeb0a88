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
}

export interface Prefetch {
  /** Bytes up to this offset should be cached or on their way. */
  until: number
  /** A new stream began: readahead queued for the old one is no longer wanted. */
  restarted: boolean
}

/**
 * Sequential-read detection for one open file, shaped like mountpoint-s3's
 * prefetcher. A stream starts with a small window; each time the reader has
 * consumed half of what was requested ahead, the window doubles (up to a cap)
 * and more is requested. Reads that arrive slightly out of order, re-read a
 * little, or skip a little keep the stream; a bigger jump starts a new one.
 */
export class Readahead {
  /** End of the furthest read of the current stream; -1 before the first read. */
  private furthest = -1
  /** Offset up to which the stream has asked for data. */
  private requested = 0
  private window = 0

  /** The last read continued a stream rather than starting one. */
  sequential = false

  constructor (private readonly opts: ReadaheadOptions) {}

  /** Offset up to which the current stream has asked for data. */
  get requestedEnd (): number { return this.requested }

  /**
   * Records a read of [offset, end) and says how far to prefetch now, or
   * undefined when what was already requested suffices. `cap` bounds the
   * window (it shrinks when many files share the cache).
   */
  next (offset: number, end: number, cap: number): Prefetch | undefined {
    const { initial, backward, forward } = this.opts
    const sequential = this.furthest >= 0 &&
      offset >= this.furthest - Math.max(backward, Math.min(this.window, forward)) && offset <= this.furthest + forward
    this.sequential = sequential
    if (!sequential) {
      this.furthest = end
      this.window = initial
      this.requested = end + initial
      return { until: this.requested, restarted: true }
    }
    this.furthest = Math.max(this.furthest, end)
    if (this.requested - this.furthest >= this.window / 2) return undefined
    this.window = Math.max(initial, Math.min(this.window * 2, cap))
    this.requested = this.furthest + this.window
    return { until: this.requested, restarted: false }
  }
}
