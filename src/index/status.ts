import type { IndexStatus } from '../core/api-types.js'
import { formatInstant } from '../core/timespec.js'
import type { HistoryIndex, IndexedBucket } from './types.js'

/**
 * A bucket's index state as every surface shows it (CLI --json, the
 * dashboard); `here` is the asker's endpoint key (endpoint.ts), if known.
 */
export function indexStatus (index: Pick<HistoryIndex, 'engine' | 'location'>, b: IndexedBucket, here?: string, now = Date.now()): IndexStatus {
  const at = (t: number | undefined): string | undefined => t === undefined ? undefined : formatInstant(t)
  return {
    bucket: b.bucket,
    engine: index.engine,
    location: index.location,
    endpoint: b.endpoint,
    sameEndpoint: here === undefined ? undefined : b.endpoint === here,
    versioning: b.versioning,
    versions: b.versions,
    deleteMarkers: b.deleteMarkers,
    liveObjects: b.liveObjects,
    liveBytes: b.liveBytes,
    horizon: at(b.horizon),
    watermark: at(b.watermark),
    lagMs: b.watermark === undefined ? undefined : now - b.watermark,
    lastSweep: at(b.lastSweep),
    lastEvent: at(b.lastEvent),
    sweep: b.sweep === undefined ? undefined : { ...b.sweep, started: at(b.sweep.started), heartbeat: at(b.sweep.heartbeat) }
  }
}
