import type { Engine } from '../../engine/engine.js'
import type { Labels } from '../../labels/service.js'

/** What the InfinStor API is served from (the daemon assembles it). */
export interface DashboardDeps {
  engine: Engine
  labels: Labels
  /** Where the tree is mounted: the plain paths shown to users start here. */
  mountPoint: string
  region: string
  /** Where the S3 gateway beside this server listens (null: none runs beside it). */
  s3Gateway: string | null
}
