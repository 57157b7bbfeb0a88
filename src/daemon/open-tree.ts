import type { Log } from '../config/log.js'
import { DirectReader } from '../reader/direct.js'
import { createReader } from '../reader/reader.js'
import type { Reader } from '../reader/types.js'
import { TimeTree } from '../tree/time-tree.js'
import type { Services } from './services.js'

/** A read gives up after this, so an unreachable S3 gives EIO within the documented bound (the README's 8 s). */
const READ_DEADLINE_MS = 8_000

const MiB = 1024 * 1024
/** A disk cache still assembles blocks in memory, so it gets at least this much. */
const MIN_CACHE_MIB = 16
/** The reader's GETs are parts of this size (the reader's default). */
const PART_MIB = 8
/**
 * Block memory is pooled and reused; besides cached blocks it holds the
 * blocks GETs under way are filling (a part per GET slot). So that
 * --cache-size bounds all of it, the cache keeps that much free (a quarter
 * of it at most).
 */
export function blockBudget (cacheMiB: number, slots: number): number {
  const total = Math.max(cacheMiB, MIN_CACHE_MIB)
  return (total - Math.min(slots * PART_MIB, total / 4)) * MiB
}

/**
 * GET slots for blocks: --s3-concurrency less the two listings keep. On an
 * S3-like network each connection is limited, and 16 readers over 3
 * versions read 2,187 MiB/s with 14 slots where 8 read 1,759
 * (bench/results/2026-12-03b).
 */
export function blockSlots (s3Concurrency: number): number {
  return Math.max(1, s3Concurrency - 2)
}

/**
 * The block cache with readahead, or with --cache-size 0 and no disk cache,
 * one GET per read. Its GETs read straight into block memory (getInto).
 */
export function openReader ({ engine, settings }: Services, log: Log): Reader {
  const cacheMiB = settings.get('cache-size')
  const slots = blockSlots(settings.get('s3-concurrency'))
  const cacheDir = settings.get('cache-dir')
  if (cacheMiB === 0 && cacheDir === undefined) {
    log.info('cache-size 0: every read goes straight to S3')
    return new DirectReader(engine.read.bind(engine), { deadlineMs: READ_DEADLINE_MS })
  }
  return createReader({ into: engine.readInto.bind(engine) }, {
    cacheBytes: blockBudget(cacheMiB, slots),
    cacheDir,
    cacheDirBytes: settings.get('cache-dir-size') * MiB,
    partSize: PART_MIB * MiB,
    concurrency: slots,
    wholeFileBytes: settings.get('whole-file-size') * MiB,
    readTimeoutMs: READ_DEADLINE_MS
  })
}

/**
 * The time-travel tree over the engine, as settings describe it; no FUSE
 * here. The mount and the HTTP server (alone, or beside a mount, sharing
 * its tree) both build it here; every surface of one process reads
 * through one reader, and so one block cache.
 */
export function openTree ({ engine, labels, settings }: Services, reader: Reader, log: Log, buckets?: string[]): TimeTree {
  return new TimeTree(engine, reader, {
    buckets,
    liveTtlMs: settings.get('live-ttl-ms'),
    settleMarginMs: settings.get('settle-margin-ms'),
    attrTimeoutMs: settings.get('attr-timeout') * 1000,
    log,
    // Each bucket lists its labels as @NAME, and /@labels links to them.
    labels
  })
}
