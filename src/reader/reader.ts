import { InfinError } from '../core/errors.js'
import type { Version } from '../core/versions.js'
import { BlockCache, cachedFile, type BlockStats } from './blocks.js'
import { DiskCache, type DiskStats } from './disk-cache.js'
import { Follower } from './follower.js'
import { FileHandle, type HandleContext } from './handle.js'
import { Scheduler } from './scheduler.js'
import type { OpenOptions, RangeFetch, RangeStream, ReadHandle, Reader } from './types.js'

const KiB = 1024
const MiB = 1024 * KiB

export interface ReaderOptions {
  /** Memory for cached blocks, in bytes. */
  cacheBytes: number
  /** A directory for the disk cache; none when absent. */
  cacheDir?: string
  /** Bound of the disk cache, in bytes (default 10 GiB). */
  cacheDirBytes?: number
  /** Caching unit (default 256 KiB). */
  blockSize?: number
  /** Most bytes one stream requests ahead of its reads (default 64 MiB). */
  maxReadahead?: number
  /** Readahead of a new stream (default 1 MiB): a small random read costs one GET. */
  initialReadahead?: number
  /**
   * Largest single GET. With a fetch (default 8 MiB), a read may wait for a
   * whole GET, which must stay well within the read's deadline. With a
   * stream (default 32 MiB), a read waits only for its own bytes.
   */
  partSize?: number
  /** Bounded GETs in flight at once over all files (default 8). */
  concurrency?: number
  /**
   * Long GETs following sequential readers, at most (default 16); each
   * holds a connection, so the S3 client needs sockets for these plus
   * `concurrency`. Only with a stream source.
   */
  maxStreams?: number
  /** A GET fails when no bytes arrive for this long, retries included (default 10 s). */
  getTimeoutMs?: number
  /** Deadline of one read, waiting for a slot included (default 12 s; the mount sets 8 s, as its README says). */
  readTimeoutMs?: number
}

export interface ReaderStats extends BlockStats {
  reads: number
  /** Bytes of blocks held in memory. */
  cachedBytes: number
  openHandles: number
  /** Long GETs following sequential readers now. */
  followers: number
  /** Readahead GETs waiting for an idle slot. */
  queuedReadahead: number
  disk?: DiskStats
}

export interface CachingReader extends Reader {
  /** A snapshot of the counters, for tests, benchmarks and status. */
  stats: () => ReaderStats
  /** Waits until blocks headed for the disk cache are written. */
  flush: () => Promise<void>
}

/**
 * Reads versions through a block cache with readahead, from a RangeFetch
 * (each GET arrives whole) or a RangeStream (blocks are served as their
 * bytes arrive, and a sequential reader is followed by one long GET paced
 * to its window). Memory stays within `cacheBytes` for cached blocks plus
 * what GETs under way hold: up to `concurrency` × `partSize` with a fetch,
 * a partial block per GET with a stream. Readahead per file shrinks as more
 * files are open, so what is read ahead is not evicted before it is used.
 */
export function createReader (source: RangeFetch | { stream: RangeStream }, options: ReaderOptions): CachingReader {
  const streaming = typeof source !== 'function'
  const opts = {
    blockSize: 256 * KiB,
    maxReadahead: 64 * MiB,
    initialReadahead: 1 * MiB,
    partSize: streaming ? 32 * MiB : 8 * MiB,
    concurrency: 8,
    maxStreams: 16,
    getTimeoutMs: 10_000,
    readTimeoutMs: 12_000,
    cacheDirBytes: 10 * 1024 * MiB,
    ...options
  }
  for (const name of ['cacheBytes', 'blockSize', 'maxReadahead', 'initialReadahead', 'partSize', 'concurrency', 'maxStreams', 'getTimeoutMs', 'readTimeoutMs', 'cacheDirBytes'] as const) {
    if (!(opts[name] > 0)) throw new InfinError('Usage', `reader option ${name} must be a positive number, not ${opts[name]}`)
  }
  const disk = opts.cacheDir !== undefined ? new DiskCache({ dir: opts.cacheDir, maxBytes: opts.cacheDirBytes }) : undefined
  const scheduler = new Scheduler(opts.concurrency)
  const stream: RangeStream = streaming
    ? source.stream
    : async function * (bucket, version, start, end, signal) {
      const data = await source(bucket, version, start, end, signal)
      // Checked before any block is cut from it: a short answer may be shifted, not just cut.
      if (data.length !== end - start) {
        throw new InfinError('Corrupt', `S3 returned ${data.length} bytes for the ${end - start} asked for at ${start} of s3://${bucket}/${version.key} (version ${version.versionId})`)
      }
      yield data
    }
  const cache = new BlockCache(stream, scheduler, disk, {
    blockSize: opts.blockSize, cacheBytes: opts.cacheBytes, partSize: opts.partSize, getTimeoutMs: opts.getTimeoutMs
  })
  let reads = 0
  let openHandles = 0
  let followers = 0
  const ctx: HandleContext = {
    cache,
    readahead: { initial: opts.initialReadahead, backward: 1 * MiB, forward: 16 * MiB },
    // Readahead shares half the cache among open files, so prefetched blocks live until read.
    windowCap: () => Math.min(opts.maxReadahead, Math.floor(opts.cacheBytes / 2 / Math.max(1, openHandles))),
    mayFollow: () => streaming && followers < opts.maxStreams,
    startFollower: (file, from, until) => {
      followers++
      return new Follower(cache, file, from, until, () => { followers-- })
    },
    readTimeoutMs: opts.readTimeoutMs,
    onRead: () => { reads++ },
    onClose: () => { openHandles-- }
  }

  const open = (bucket: string, version: Version, o: OpenOptions = {}): ReadHandle => {
    openHandles++
    return new FileHandle(ctx, cachedFile(bucket, version), o.end)
  }

  return {
    open,
    stats: () => ({
      ...cache.stats,
      reads,
      cachedBytes: cache.cachedBytes,
      openHandles,
      followers,
      queuedReadahead: scheduler.queued,
      ...(disk !== undefined ? { disk: { ...disk.stats } } : {})
    }),
    flush: async () => { await disk?.flush() }
  }
}
