import { InfinError } from '../../core/errors.js'
import type { Version } from '../../core/versions.js'
import { BlockCache, cachedFile, type BlockStats, type CachedFile, type Part } from './blocks.js'
import { DiskCache, type DiskStats } from './disk-cache.js'
import { Readahead } from './readahead.js'
import { Scheduler } from './scheduler.js'
import type { RangeFetch, ReadHandle, Reader } from './types.js'

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
  /** Largest single GET (default 8 MiB), so none risks FUSE's 15 s op timeout. */
  partSize?: number
  /** GETs in flight at once over all files (default 8). */
  concurrency?: number
  /** Deadline of one GET, retries included (default 10 s). */
  getTimeoutMs?: number
  /** Deadline of one read, waiting for a slot included (default 12 s, under FUSE's 15 s). */
  readTimeoutMs?: number
}

export interface ReaderStats extends BlockStats {
  reads: number
  /** Bytes of blocks held in memory. */
  cachedBytes: number
  openHandles: number
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
 * Reads versions through a block cache with readahead. Memory stays within
 * `cacheBytes` for cached blocks plus at most `concurrency` × `partSize` for
 * GETs under way; readahead per file shrinks as more files are open, so
 * what is read ahead is not evicted before it is used.
 */
export function createReader (fetch: RangeFetch, options: ReaderOptions): CachingReader {
  const opts = {
    blockSize: 256 * KiB,
    maxReadahead: 64 * MiB,
    initialReadahead: 1 * MiB,
    partSize: 8 * MiB,
    concurrency: 8,
    getTimeoutMs: 10_000,
    readTimeoutMs: 12_000,
    cacheDirBytes: 10 * 1024 * MiB,
    ...options
  }
  for (const name of ['cacheBytes', 'blockSize', 'maxReadahead', 'initialReadahead', 'partSize', 'concurrency', 'getTimeoutMs', 'readTimeoutMs', 'cacheDirBytes'] as const) {
    if (!(opts[name] > 0)) throw new InfinError('Usage', `reader option ${name} must be a positive number, not ${opts[name]}`)
  }
  const disk = opts.cacheDir !== undefined ? new DiskCache({ dir: opts.cacheDir, maxBytes: opts.cacheDirBytes }) : undefined
  const scheduler = new Scheduler(opts.concurrency)
  const cache = new BlockCache(fetch, scheduler, disk, {
    blockSize: opts.blockSize, cacheBytes: opts.cacheBytes, partSize: opts.partSize, getTimeoutMs: opts.getTimeoutMs
  })
  let reads = 0
  let openHandles = 0

  /** Readahead shares half the cache among open files, so prefetched blocks live until read. */
  const windowCap = (): number =>
    Math.min(opts.maxReadahead, Math.floor(opts.cacheBytes / 2 / Math.max(1, openHandles)))

  const open = (bucket: string, version: Version): ReadHandle => {
    const file = cachedFile(bucket, version)
    const readahead = new Readahead({ initial: opts.initialReadahead, backward: 1 * MiB, forward: 16 * MiB })
    const queued = new Set<Part>()
    let closed = false
    openHandles++
    return {
      read: async (offset, length) => {
        if (closed) throw new Error('read after close')
        reads++
        const end = Math.min(offset + length, version.size)
        if (offset >= end) return Buffer.alloc(0)
        const { blockSize } = opts
        const first = Math.floor(offset / blockSize)
        const last = Math.floor((end - 1) / blockSize)
        const ahead = readahead.next(offset, end, windowCap())
        if (ahead !== undefined) {
          if (ahead.restarted) cache.cancel(queued)
          cache.load(file, first, Math.ceil(ahead.until / blockSize), last + 1, queued)
        }
        const blocks: Array<Buffer | Promise<Buffer>> = []
        for (let i = first; i <= last; i++) blocks.push(cache.block(file, i))
        const ready = blocks.every(b => b instanceof Buffer)
          ? blocks as Buffer[]
          : await withTimeout(Promise.all(blocks), opts.readTimeoutMs, file, offset)
        return slice(ready, offset - first * blockSize, end - offset)
      },
      close: () => {
        if (closed) return
        closed = true
        openHandles--
        cache.cancel(queued)
      }
    }
  }

  return {
    open,
    stats: () => ({
      ...cache.stats,
      reads,
      cachedBytes: cache.cachedBytes,
      openHandles,
      queuedReadahead: scheduler.queued,
      ...(disk !== undefined ? { disk: { ...disk.stats } } : {})
    }),
    flush: async () => { await disk?.flush() }
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

async function withTimeout (work: Promise<Buffer[]>, ms: number, file: CachedFile, offset: number): Promise<Buffer[]> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new InfinError('Unavailable',
      `read at ${offset} of s3://${file.bucket}/${file.version.key} (version ${file.version.versionId}) took longer than ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}
