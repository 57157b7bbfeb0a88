// A fake S3 for the reader's unit tests: versions of random bytes, served
// as whole ranges (RangeFetch), chunks (RangeStream) or straight into a
// sink (RangeInto), with every call recorded and faults to order.
import { randomBytes } from 'node:crypto'
import type { Test } from 'tap'
import { InfinError } from '../../src/core/errors.js'
import type { Version } from '../../src/core/versions.js'
import type { CachingReader, ReaderOptions } from '../../src/reader/reader.js'
import type { RangeFetch, RangeInto, RangeStream } from '../../src/reader/types.js'
import { pourPaced } from '../../src/s3/http1.js'
import { rng } from '../helpers/random.js'

export const KiB = 1024
export const MiB = 1024 * KiB

/** A GET: its range, and the bytes it sent. */
export interface Call { key: string, start: number, end: number, sent: number }

/** Versions with random bytes, served by a fetch that records every call. */
export class FakeS3 {
  readonly data = new Map<string, Buffer>()
  readonly calls: Call[] = []
  /** Calls to fail from now on (each failure uses one). */
  failures = 0
  /** When set, fetches wait for `release()`. */
  private gate: Array<() => void> | undefined

  version (key: string, size: number, versionId = `v-${key}`): Version {
    this.data.set(`${key}\0${versionId}`, randomBytes(size))
    return { key, versionId, size, lastModified: 1_700_000_000_000, etag: `"${key}"`, deleteMarker: false, isLatest: true }
  }

  bytes (v: Version): Buffer { return this.data.get(`${v.key}\0${v.versionId}`) as Buffer }

  hold (): void { this.gate = [] }
  release (): void {
    const waiting = this.gate ?? []
    this.gate = undefined
    for (const go of waiting) go()
  }

  fetch: RangeFetch = async (_bucket, v, start, end) => {
    this.calls.push({ key: v.key, start, end, sent: end - start })
    this.peakInFlight = Math.max(this.peakInFlight, ++this.inFlight)
    try {
      if (this.gate !== undefined) await new Promise<void>(resolve => this.gate?.push(resolve))
      await new Promise(resolve => setImmediate(resolve))
      if (this.failures > 0) {
        this.failures--
        throw new InfinError('Unavailable', 'S3 is down')
      }
      return Buffer.from(this.bytes(v).subarray(start, end))
    } finally {
      this.inFlight--
    }
  }

  /** Streams end after this many bytes of the next call (a dropped connection). */
  cutAfter: number | undefined
  /** Streams stop answering after this many bytes of the next call. */
  stallAfter: number | undefined
  /**
   * Faults for the GET starting at an offset, used once: it fails at
   * once, is cut or stalls 10 bytes in, or is slow (each chunk `slowMs` late).
   */
  readonly faultAt = new Map<number, 'fail' | 'cut' | 'stall' | 'slow'>()
  slowMs = 50
  /** Delay before every chunk of every GET (0: the next tick), as a slow but working S3. */
  chunkDelayMs = 0
  /** Bytes streamed so far, and the furthest offset of any. */
  bytesSent = 0
  furthestSent = 0
  /** GETs under way now, and the most at once. */
  inFlight = 0
  peakInFlight = 0
  private readonly chunkSizes = rng(99)

  stream: RangeStream = (_bucket, v, start, end) => this.chunks(v, start, end)

  /**
   * Writes into the sink as a socket would: each piece straight into the
   * space offered, waiting before any piece while the sink is full.
   */
  into: RangeInto = async (_bucket, v, start, end, sink) => {
    for await (const chunk of this.chunks(v, start, end)) await pourPaced(sink, chunk)
  }

  /** Chunks of uneven sizes, so blocks are assembled across chunk edges. */
  private async * chunks (v: Version, start: number, end: number): AsyncGenerator<Uint8Array> {
    const call = { key: v.key, start, end, sent: 0 }
    this.calls.push(call)
    this.peakInFlight = Math.max(this.peakInFlight, ++this.inFlight)
    try {
      if (this.gate !== undefined) await new Promise<void>(resolve => this.gate?.push(resolve))
      const fault = this.faultAt.get(start)
      this.faultAt.delete(start)
      if (this.failures > 0 || fault === 'fail') {
        if (fault !== 'fail') this.failures--
        throw new InfinError('Unavailable', 'S3 is down')
      }
      const cut = this.cutAfter ?? (fault === 'cut' ? 10 : undefined)
      const stall = this.stallAfter ?? (fault === 'stall' ? 10 : undefined)
      this.cutAfter = this.stallAfter = undefined
      for (let at = start; at < end;) {
        const delay = fault === 'slow' ? this.slowMs : this.chunkDelayMs
        await new Promise(resolve => delay > 0 ? setTimeout(resolve, delay) : setImmediate(resolve))
        if (cut !== undefined && at - start >= cut) return
        if (stall !== undefined && at - start >= stall) await new Promise(() => {})
        // A chunk does not run past a cut or stall point.
        const stop = Math.min(end, start + (cut ?? stall ?? end - start))
        const n = Math.min((stop > at ? stop : end) - at, 1 + Math.floor(this.chunkSizes() * 96 * KiB))
        this.bytesSent += n
        call.sent += n
        this.furthestSent = Math.max(this.furthestSent, at + n)
        yield Buffer.from(this.bytes(v).subarray(at, at + n))
        at += n
      }
    } finally {
      this.inFlight--
    }
  }

  source (kind: Kind): RangeFetch | { stream: RangeStream } | { into: RangeInto } {
    return kind === 'fetch' ? this.fetch : kind === 'stream' ? { stream: this.stream } : { into: this.into }
  }
}

export type Kind = 'fetch' | 'stream' | 'into'
export const KINDS: Kind[] = ['fetch', 'stream', 'into']

export const small: Partial<ReaderOptions> = { blockSize: 4 * KiB, initialReadahead: 8 * KiB, maxReadahead: 64 * KiB, partSize: 16 * KiB }

/** Tests run CPU-bound: windows grow as they would for a process waiting on S3. */
export const waitsOnS3 = { cpuBound: () => false }

export async function expectBytes (t: Test, s3: FakeS3, v: Version, got: Promise<Buffer>, offset: number, length: number): Promise<boolean> {
  const want = s3.bytes(v).subarray(offset, Math.min(offset + length, v.size))
  const buf = await got
  return t.ok(buf.equals(want), `${v.key} [${offset}, +${length}) is exact`)
}

/** Waits until `cond` holds (polling; the machine may be slow), failing after 20 s. */
export async function until (cond: () => boolean, what: string): Promise<void> {
  for (const start = Date.now(); !cond(); await new Promise(resolve => setTimeout(resolve, 10))) {
    if (Date.now() - start > 20_000) throw new Error(`gave up waiting: ${what}`)
  }
}

/** Waits until the reader has taken no new bytes for 100 ms. */
export async function settled (reader: CachingReader): Promise<number> {
  let last = -1
  while (reader.stats().bytesFetched !== last) {
    last = reader.stats().bytesFetched
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return last
}

