import { stalled, wrongSize, type BlockCache, type CachedFile, type Claimant } from './blocks.js'
import { abandon, BlockCutter, nextWithin } from './chunks.js'

/**
 * One long GET that follows a sequential reader: it asks for everything
 * from its first block to the end of the version, but takes bytes off the
 * connection only as far as the reader's window allows, pausing (TCP
 * backpressure) until the reader moves on. A pass over a file then costs
 * one request instead of one per window step, and the next bytes are
 * already on their way when the window grows. Per-request costs matter:
 * some servers (moto) copy the whole object for every range request.
 *
 * Blocks inside the window are claimed (pending), so reads wait for this
 * GET rather than starting their own. If it stops or fails, the blocks a
 * read waits for go to ordinary GETs; a dropped connection is no error.
 */
export class Follower implements Claimant {
  /** Blocks before this may be delivered. */
  private allowed: number
  /** Blocks [position, claimedTo) are claimed. */
  private claimedTo: number
  private wake: (() => void) | undefined
  private readonly controller = new AbortController()
  private readonly cutter: BlockCutter
  private readonly end: number
  stopped = false

  /** Follows from block `from` up to block `until` (exclusive; the caller reads no further). */
  constructor (private readonly cache: BlockCache, readonly file: CachedFile, from: number, until: number, private readonly onEnd: () => void) {
    this.end = Math.min(until, cache.blocks(file))
    this.allowed = this.claimedTo = from
    const { blockSize } = cache.opts
    this.cutter = new BlockCutter(i => cache.lengthOf(file, i), from, this.end,
      () => wrongSize(file, from * blockSize, Math.min(file.version.size, this.end * blockSize), 'more'))
    cache.stats.gets++
    void this.run(from * blockSize)
  }

  /** The next block it will deliver. */
  get position (): number { return this.cutter.next }

  /** Lets it deliver blocks up to `to` (exclusive). */
  extend (to: number): void {
    if (this.stopped) return
    to = Math.min(to, this.end)
    for (let i = Math.max(this.claimedTo, this.position); i < to; i++) this.cache.claim(this, i)
    this.claimedTo = Math.max(this.claimedTo, to)
    this.allowed = Math.max(this.allowed, to)
    this.wake?.()
  }

  stop (): void {
    if (this.stopped) return
    this.stopped = true
    this.controller.abort()
    this.wake?.()
    this.cache.unclaim(this, this.position, this.claimedTo)
  }

  private async run (start: number): Promise<void> {
    const { file, cache, controller, cutter } = this
    const ms = cache.opts.getTimeoutMs
    const stop = Math.min(file.version.size, this.end * cache.opts.blockSize)
    const it = cache.stream(file.bucket, file.version, start, stop, controller.signal)[Symbol.asyncIterator]()
    let ended = false
    try {
      // The first chunk is asked for at once, even past the window: the
      // request's latency then passes while the reader is still busy.
      for (;;) {
        const r = await nextWithin(it, ms, () => stalled(file, ms, controller))
        cache.lastProgress = Date.now()
        if (r.done === true) {
          ended = true
          if (!cutter.complete) throw wrongSize(file, start, stop, 'fewer')
          return
        }
        for (const [i, block] of cutter.cut(r.value)) {
          cache.deliver(file, i, block)
          await this.mayGoOn()
          if (this.stopped) return
        }
        await this.mayGoOn()
        if (this.stopped) return
      }
    } catch {
      // Counted, then left to ordinary GETs (stop hands them the claimed
      // blocks): they retry, and report the error if S3 is really down.
      if (!this.stopped) cache.stats.failedGets++
    } finally {
      if (!ended) abandon(it)
      this.stop()
      this.onEnd()
    }
  }

  /** Waits while the next block lies past the reader's window. */
  private async mayGoOn (): Promise<void> {
    // Past the last block only the end of the body remains: read on to it.
    while (!this.stopped && this.position >= this.allowed && !this.cutter.complete) {
      await new Promise<void>(resolve => { this.wake = resolve })
      this.wake = undefined
    }
  }
}
