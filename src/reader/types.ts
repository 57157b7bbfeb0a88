import type { Version } from '../core/versions.js'
import type { ByteSink } from '../s3/http1.js'

/**
 * How the FUSE layer reads object bytes. Implementations cache blocks and
 * read ahead; versions never change, so what they cache never goes stale.
 */
export interface ReadHandle {
  /** Up to `length` bytes at `offset`; fewer only at the end of the object. */
  read: (offset: number, length: number) => Promise<Buffer>
  /**
   * Copies the bytes at `offset` into `target` (up to its length; fewer
   * only at the end of the object) and says how many: no buffer of its own
   * per read, for callers that have one (a FUSE read's). Once
   * `answered()` is true it copies nothing and fails. A read whose bytes
   * are in memory is answered at once, not through a promise: a FUSE
   * read then costs no trip through the microtask queue.
   */
  readInto?: (target: Uint8Array, offset: number, answered?: () => boolean) => number | Promise<number>
  /**
   * The bytes at `offset` (up to `length`; fewer only at the end of the
   * object) as views of cached memory, which stays the caller's until it
   * calls `release`: no copy, for callers that hand the bytes on (a socket
   * write) and can say when they are done with them.
   */
  lend?: (offset: number, length: number) => Promise<Lent>
  close: () => void
}

/** Bytes lent by a handle: `views` in order; `release` once nothing uses them (later calls do nothing). */
export interface Lent {
  views: Buffer[]
  release: () => void
}

export interface OpenOptions {
  /**
   * The caller reads nothing at or past this offset, so readahead and long
   * GETs stop there. An S3 gateway knows the range a client asked for; a
   * file system does not.
   */
  end?: number
  /**
   * The caller reads from its first read up to `end` once, in order (an S3
   * gateway's reply): such a stream of at least a part counts as long from
   * its first read, so the blocks of a big file are given back as soon as
   * they are read, as a long stream's are, rather than taking fresh memory.
   */
  once?: boolean
}

export interface Reader {
  /** One handle per open file: sequential-read detection is per handle. */
  open: (bucket: string, version: Version, opts?: OpenOptions) => ReadHandle
  /**
   * Fetches a whole version into the cache in the background, as readahead:
   * it takes only GET slots no read waits for. A reader without a cache
   * has none.
   */
  prefetch?: (bucket: string, version: Version) => void
}

/** Fetches bytes [start, end) of a version from S3 (Engine.read fits). */
export type RangeFetch = (bucket: string, version: Version, start: number, end: number, signal?: AbortSignal) => Promise<Buffer>

/**
 * Streams bytes [start, end) of a version as they arrive, in chunks of any
 * size, so a large GET serves its first blocks before it ends. The daemon
 * reads through RangeInto; a stream of odd-sized chunks is how the tests'
 * fake S3 puts block boundaries to the test.
 */
export type RangeStream = (bucket: string, version: Version, start: number, end: number, signal?: AbortSignal) => AsyncIterable<Uint8Array>

/**
 * Writes bytes [start, end) of a version into the memory a sink offers
 * (S3Access.getInto fits): the lean path, where a socket reads straight
 * into cache blocks. Resolves once every byte is in.
 */
export type RangeInto = (bucket: string, version: Version, start: number, end: number, sink: ByteSink, signal?: AbortSignal) => Promise<void>
