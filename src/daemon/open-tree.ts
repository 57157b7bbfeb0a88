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
/**
 * Block memory is pooled and reused; besides cached blocks it holds the
 * blocks GETs under way are filling (at most 8 parts of 8 MiB). So that
 * --cache-size bounds all of it, the cache keeps that much free (an eighth
 * of it at most).
 */
const INFLIGHT_MIB = 64

/** Bytes the block cache may hold for a --cache-size of `cacheMiB`. */
export function blockBudget (cacheMiB: number): number {
  const total = Math.max(cacheMiB, MIN_CACHE_MIB)
  return (total - Math.min(INFLIGHT_MIB, total / 8)) * MiB
}

/**
 * The block cache with readahead, or with --cache-size 0 and no disk cache,
 * one GET per read. Its GETs read straight into block memory (getInto);
 * they share --s3-concurrency with listings, which keep two slots.
 */
export function openReader ({ engine, settings }: Services, log: Log): Reader {
  const cacheMiB = settings.get('cache-size')
  const cacheDir = settings.get('cache-dir')
  if (cacheMiB === 0 && cacheDir === undefined) {
    log.info('cache-size 0: every read goes straight to S3')
    return new DirectReader(engine.read.bind(engine), { deadlineMs: READ_DEADLINE_MS })
  }
  return createReader({ into: engine.readInto.bind(engine) }, {
    cacheBytes: blockBudget(cacheMiB),
    cacheDir,
    cacheDirBytes: settings.get('cache-dir-size') * MiB,
    concurrency: Math.max(1, Math.min(8, settings.get('s3-concurrency') - 2)),
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
