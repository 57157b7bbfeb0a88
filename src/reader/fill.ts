import { InfinError } from '../core/errors.js'
import type { Version } from '../core/versions.js'
import { pour, pourPaced, type ByteSink } from '../s3/http1.js'
import type { Block, BlockPool } from './pool.js'
import type { RangeFetch, RangeInto, RangeStream } from './types.js'

/**
 * Cuts the bytes of one GET into blocks [from, to): they arrive straight
 * in pooled memory, block after block, and each full block is handed to
 * `deliver` with the reference the fill held.
 *
 * A paced fill wants blocks only before `allowed`: there it is full, and a
 * source that can wait stops until `allow` moves the bound on.
 */
export class BlockFill implements ByteSink {
  private block: Block | undefined
  private used = 0
  /** The next block to fill. */
  next: number
  /** Blocks before this one are wanted now. */
  private allowed: number
  /** When bytes last arrived, or the source last resumed (ms). */
  lastBytes = Date.now()
  private stopped = false
  private resume: (() => void) | undefined
  /** Bytes so far, when the first came, and the time spent waiting for room since: the source's rate. */
  private bytesIn = 0
  private firstByteAt = 0
  private waitedMs = 0
  private waitingSince = 0
  /** Told when the source starts waiting for room. */
  onWait: () => void = () => {}

  constructor (
    private readonly pool: BlockPool,
    private readonly lengthOf: (i: number) => number,
    from: number,
    private readonly to: number,
    private readonly deliver: (i: number, block: Block) => void,
    private readonly tooMany: () => InfinError,
    /** Told of every arrival (the cache's sign that S3 is answering). */
    private readonly onBytes: (now: number) => void = () => {}
  ) {
    this.next = from
    this.allowed = to
  }

  get complete (): boolean { return this.next >= this.to }

  /** The source waits for room: its silence is no stall. */
  get waiting (): boolean { return this.resume !== undefined }

  full (): boolean {
    return !this.stopped && this.block === undefined && this.next >= this.allowed && this.next < this.to
  }

  whenRoom (go: () => void): void {
    this.resume = go
    this.waitingSince = Date.now()
    this.onWait()
  }

  /** Wants blocks before `to` now; a waiting source goes on. */
  allow (to: number): void {
    this.allowed = Math.max(this.allowed, Math.min(to, this.to))
    if (this.next < this.allowed) this.wake()
  }

  /** Wants no blocks at or past `to` (others will fetch them). */
  narrow (to: number): void {
    this.allowed = Math.min(this.allowed, to)
  }

  /**
   * Bytes per second while the source reads, not counting its waits for
   * room; undefined until `least` bytes came.
   */
  rate (least: number): number | undefined {
    if (this.bytesIn < least) return undefined
    const now = Date.now()
    const reading = now - this.firstByteAt - this.waitedMs - (this.waiting ? now - this.waitingSince : 0)
    return this.bytesIn * 1000 / Math.max(1, reading)
  }

  private wake (): void {
    const go = this.resume
    this.resume = undefined
    if (go === undefined) return
    this.lastBytes = Date.now()
    this.waitedMs += this.lastBytes - this.waitingSince
    go()
  }

  space (): Uint8Array {
    if (this.stopped) throw new InfinError('Unavailable', 'the GET was given up')
    if (this.next >= this.to) throw this.tooMany()
    this.block ??= this.pool.take(this.lengthOf(this.next))
    return this.block.memory.subarray(this.used, this.block.length)
  }

  filled (n: number): void {
    this.lastBytes = Date.now()
    if (this.bytesIn === 0) this.firstByteAt = this.lastBytes
    this.bytesIn += n
    this.onBytes(this.lastBytes)
    const b = this.block as Block
    this.used += n
    if (this.used < b.length) return
    this.block = undefined
    this.used = 0
    this.deliver(this.next++, b)
  }

  /**
   * Ends the fill: a block left half full goes back to the pool (a socket
   * writing into it was closed by the abort), and a source that ignored the
   * abort gets an error at its next write instead of memory.
   */
  stop (): void {
    this.stopped = true
    if (this.block !== undefined) this.pool.unpin(this.block)
    this.block = undefined
    // A source waiting for room goes on, to find the fill given up.
    this.wake()
  }
}

/** Any byte source as one that fills a sink (tests and the no-cache path fetch or stream). */
export function intoSink (source: RangeFetch | { stream: RangeStream } | { into: RangeInto }): RangeInto {
  if (typeof source !== 'function' && 'into' in source) return source.into
  if (typeof source !== 'function') {
    return async (bucket: string, version: Version, start: number, end: number, sink: ByteSink, signal?: AbortSignal) => {
      for await (const chunk of source.stream(bucket, version, start, end, signal)) await pourPaced(sink, chunk)
    }
  }
  return async (bucket: string, version: Version, start: number, end: number, sink: ByteSink, signal?: AbortSignal) => {
    const data = await source(bucket, version, start, end, signal)
    // Checked before any block is cut from it: a short answer may be shifted, not just cut.
    if (data.length !== end - start) {
      throw new InfinError('Corrupt', `S3 returned ${data.length} bytes for the ${end - start} asked for at ${start} of s3://${bucket}/${version.key} (version ${version.versionId})`)
    }
    pour(sink, data)
  }
}
