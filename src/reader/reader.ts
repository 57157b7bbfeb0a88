import { performance } from 'node:perf_hooks'
import { InfinError } from '../core/errors.js'
import type { Version } from '../core/versions.js'
import { BlockCache, type BlockStats } from './blocks.js'
import { cachedFile } from './files.js'
import { Deadlines } from './deadlines.js'
import { DiskCache, type DiskStats } from './disk-cache.js'
import { SharedAttempts } from './first-attempt.js'
import { intoSink } from './fill.js'
import { FileStreams } from './file-streams.js'
import { FileHandle, type HandleContext } from './handle.js'
import { BlockPool, type PoolStats } from './pool.js'
import { Scheduler } from './scheduler.js'
import type { OpenOptions, RangeFetch, RangeInto, RangeStream, ReadHandle, Reader } from './types.js'

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
   * Largest single GET (default 8 MiB). A stream's window is fetched in
   * parts of this size, in parallel: on S3 each connection is limited, and
   * several in flight multiply the rate. A read waits only for its own
   * blocks, which arrive as the part streams in.
   */
  partSize?: number
  /** GETs in flight at once over all files (default 8). */
  concurrency?: number
  /**
   * A file read at random is fetched whole if it is at most this big
   * (default 256 MiB) and fits in three quarters of the cache's share of
   * each open file.
   */
  wholeFileBytes?: number
  /** A GET fails when no bytes arrive for this long, retries included (default 10 s). */
  getTimeoutMs?: number
  /** Deadline of one read, waiting for a slot included (default 12 s, under FUSE's 15 s). */
  readTimeoutMs?: number
  /**
   * A sequential reader's paced GET that reads slower than this, in bytes
   * per second, hands the reader over to parallel parts (default 160 MiB/s):
   * S3 gives one connection 50 to 100 MB/s, where parallel parts multiply
   * it; on a fast network one connection outruns a FUSE reader (moto on
   * loopback: 600 MiB/s and more). Tests of a fake source, whose rate is
   * only its process's speed, name their own.
   */
  minStreamRate?: number
  /** For tests: fill every block given back to the pool with a marker, so use after release shows. */
  poisonFreedBlocks?: boolean
  /**
   * Whether the process is CPU-bound now: then a read that waits gains
   * nothing from a wider window. Default: this thread was busy over 80% of
   * the time since it was last asked (event loop utilization).
   */
  cpuBound?: () => boolean
}

export interface ReaderStats extends BlockStats {
  reads: number
  /** Bytes of blocks held in memory. */
  cachedBytes: number
  openHandles: number
  /** Distinct versions with an open handle: the cache's share per file divides by this. */
  openFiles: number
  /** Readahead GETs waiting for an idle slot. */
  queuedReadahead: number
  pool: PoolStats
  disk?: DiskStats
}

/**
 * True when this thread was busy most of the time since the last call
 * (event loop utilization): then bytes wait for the CPU, not the network.
 */
function busy (): () => boolean {
  let last = performance.eventLoopUtilization()
  return () => {
    const now = performance.eventLoopUtilization()
    const share = performance.eventLoopUtilization(now, last).utilization
    last = now
    return share > 0.8
  }
}

export interface CachingReader extends Reader {
  /** A snapshot of the counters, for tests, benchmarks and status. */
  stats: () => ReaderStats
  /** Waits until blocks headed for the disk cache are written. */
  flush: () => Promise<void>
}

/**
 * Reads versions through a block cache with readahead, from a source that
 * writes straight into block memory (`into`, the lean path), streams
 * chunks (`stream`) or answers whole ranges (a RangeFetch). Memory stays
 * within `cacheBytes` for cached blocks plus what GETs under way fill (at
 * most `concurrency` × `partSize`): block memory is pooled and reused, never
 * left to the garbage collector. Readahead per file shrinks as more files
 * are open (not handles: see share), so what is read ahead is not
 * evicted before it is used.
 */
export function createReader (source: RangeFetch | { stream: RangeStream } | { into: RangeInto }, options: ReaderOptions): CachingReader {
  const opts = {
    blockSize: 256 * KiB,
    maxReadahead: 64 * MiB,
    initialReadahead: 1 * MiB,
    partSize: 8 * MiB,
    concurrency: 8,
    wholeFileBytes: 256 * MiB,
    getTimeoutMs: 10_000,
    readTimeoutMs: 12_000,
    cacheDirBytes: 10 * 1024 * MiB,
    minStreamRate: 160 * MiB,
    ...options
  }
  for (const name of ['cacheBytes', 'blockSize', 'maxReadahead', 'initialReadahead', 'partSize', 'concurrency', 'getTimeoutMs', 'readTimeoutMs', 'cacheDirBytes', 'minStreamRate'] as const) {
    if (!(opts[name] > 0)) throw new InfinError('Usage', `reader option ${name} must be a positive number, not ${opts[name]}`)
  }
  if (!(opts.wholeFileBytes >= 0)) throw new InfinError('Usage', `reader option wholeFileBytes must be 0 or more, not ${opts.wholeFileBytes}`)
  const cpuBound = opts.cpuBound ?? busy()
  const disk = opts.cacheDir !== undefined ? new DiskCache({ dir: opts.cacheDir, maxBytes: opts.cacheDirBytes }) : undefined
  const scheduler = new Scheduler(opts.concurrency)
  const pool = new BlockPool(opts.blockSize, { poison: opts.poisonFreedBlocks })
  const cache = new BlockCache(intoSink(source), scheduler, disk, pool, {
    blockSize: opts.blockSize,
    cacheBytes: opts.cacheBytes,
    partSize: opts.partSize,
    getTimeoutMs: opts.getTimeoutMs,
    // A source of whole ranges cannot wait for room: it would fetch a stream's whole file at once.
    paced: typeof source !== 'function',
    minStreamRate: opts.minStreamRate
  })
  let reads = 0
  let openHandles = 0
  const attempts = new SharedAttempts(opts.readTimeoutMs)
  /**
   * A file's handles share its streams and blocks (16 readers of one
   * version read one trail), so the cache is shared among open files, not
   * handles: counting handles cut such a stream's window to 14 MiB in a
   * mount, under two parts in flight, and 16 readers of one version on an
   * S3-like network read 2.8 times slower than one.
   */
  const share = (): number => Math.floor(opts.cacheBytes / Math.max(1, attempts.files))
  /**
   * Several streams share the GET slots: a window past a stream's whole
   * parts of them adds no GET in flight, only memory. Not rounded to whole
   * parts (21 MiB for three streams), 16 readers over 3 versions on
   * loopback read at 0.79 times the speed they had with the per-handle
   * share's 14 MiB (bench/src/readprof.ts pairs); rounded, at 0.73 to 1.13.
   */
  const laneShare = (): number => {
    if (streams.count <= 1) return Infinity
    return Math.max(1, Math.floor(opts.concurrency / streams.count)) * opts.partSize
  }
  const streams = new FileStreams({ initial: opts.initialReadahead, backward: 1 * MiB, forward: 16 * MiB, step: opts.partSize, idle: () => !cpuBound() })
  const ctx: HandleContext = {
    cache,
    streams,
    // Readahead shares half the cache among open files, so prefetched blocks live until read.
    windowCap: () => Math.min(opts.maxReadahead, Math.floor(share() / 2), laneShare()),
    wholeCap: () => Math.min(opts.wholeFileBytes, Math.floor(share() * 3 / 4)),
    longStream: opts.partSize,
    keepWhole: () => Math.floor(share() / 4),
    readTimeoutMs: opts.readTimeoutMs,
    deadlines: new Deadlines(),
    attempts,
    onRead: () => { reads++ },
    onClose: () => { openHandles-- }
  }

  const open = (bucket: string, version: Version, o: OpenOptions = {}): ReadHandle => {
    openHandles++
    return new FileHandle(ctx, cachedFile(bucket, version), o.end, o.once)
  }

  return {
    open,
    prefetch: (bucket, version) => {
      const file = cachedFile(bucket, version)
      cache.load(file, 0, cache.blocks(file), 0)
    },
    stats: () => ({
      ...cache.stats,
      reads,
      cachedBytes: cache.cachedBytes,
      openHandles,
      openFiles: attempts.files,
      queuedReadahead: scheduler.queued,
      pool: { ...pool.stats },
      ...(disk !== undefined ? { disk: { ...disk.stats } } : {})
    }),
    flush: async () => { await disk?.flush() }
  }
}
