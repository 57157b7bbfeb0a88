import type { Settings } from '../config/settings.js'
import type { Engine } from '../engine/engine.js'
import { Labels } from '../labels/service.js'
import type { Log } from '../config/log.js'
import { DirectReader } from '../reader/direct.js'
import { createReader } from '../reader/reader.js'
import type { RangeInto, Reader } from '../reader/types.js'
import { TimeTree } from '../tree/time-tree.js'

/** A read's S3 request is abandoned before the mount's 10 s operation deadline, so its own error is what gets logged. */
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
function readerFor (engine: Engine, settings: Settings, log: Log): Reader {
  const cacheMiB = settings.num('cache-size')
  const cacheDir = settings.str('cache-dir')
  if (cacheMiB === 0 && cacheDir === undefined) {
    log.info('cache-size 0: every read goes straight to S3')
    return new DirectReader(engine.read.bind(engine), { deadlineMs: READ_DEADLINE_MS })
  }
  const into: RangeInto = async (bucket, v, start, end, sink, signal) =>
    await engine.s3.getInto(bucket, v.key, v.versionId, start, end, sink, signal)
  return createReader({ into }, {
    cacheBytes: blockBudget(cacheMiB),
    cacheDir,
    cacheDirBytes: settings.num('cache-dir-size') * MiB,
    concurrency: Math.max(1, Math.min(8, settings.num('s3-concurrency') - 2)),
    readTimeoutMs: READ_DEADLINE_MS
  })
}

/**
 * The time-travel tree over an engine, as settings describe it; no FUSE
 * here. The mount and the HTTP server (alone, or beside a mount, sharing
 * its tree) both build it here, so they show the same tree through the
 * same reader.
 */
export function buildTree (engine: Engine, settings: Settings, log: Log, buckets?: string[]): TimeTree {
  return new TimeTree(engine, readerFor(engine, settings, log), {
    buckets,
    owner: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
    liveTtlMs: settings.num('live-ttl-ms'),
    settleMarginMs: settings.num('settle-margin-ms'),
    attrTimeoutMs: settings.num('attr-timeout') * 1000,
    log,
    // openEngine attaches the configured label store; each bucket lists its labels as @NAME.
    labels: engine.labels instanceof Labels ? engine.labels : undefined
  })
}
