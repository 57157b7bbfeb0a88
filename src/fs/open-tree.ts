import type { Settings } from '../config/settings.js'
import type { Engine } from '../engine/engine.js'
import { Labels } from '../labels/labels.js'
import type { Log } from './log.js'
import { DirectReader } from './reader/direct.js'
import type { Reader } from './reader/types.js'
import { TimeTree } from './tree.js'

/** A read's S3 request is abandoned before the mount's 10 s operation deadline, so its own error is what gets logged. */
const READ_DEADLINE_MS = 8_000

function readerFor (engine: Engine, settings: Settings, log: Log): Reader {
  // The block cache and disk cache (src/fs/reader/) plug in here for
  // cache-size > 0; until they do, every read goes straight to S3.
  if (settings.num('cache-size') > 0 || settings.str('cache-dir') !== undefined) {
    log.info('no block cache in this build: reading directly from S3 (cache-size and cache-dir are ignored)')
  }
  return new DirectReader(engine.read.bind(engine), { deadlineMs: READ_DEADLINE_MS })
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
