import type { Router } from '../server/http.js'
import { browseRoutes } from './api/browse.js'
import type { DashboardDeps } from './api/deps.js'
import { bucketRoutes } from './api/buckets.js'
import { historyRoutes } from './api/history.js'
import { infoRoutes } from './api/info.js'
import { labelRoutes } from './api/label-routes.js'
import { Snapshots } from './api/snapshots.js'
import { specRoutes } from './api/specs.js'
import { signInRoutes } from './sign-in.js'
import { staticRoutes } from './static.js'

/** The /api/infinstor/* JSON API and the dashboard's pages at /ui/. */
export function dashboardRoutes (router: Router, deps: DashboardDeps): void {
  infoRoutes(router, deps)
  bucketRoutes(router, deps)
  const snapshots = new Snapshots()
  browseRoutes(router, deps, snapshots)
  historyRoutes(router, deps, snapshots)
  specRoutes(router, deps)
  labelRoutes(router, deps)
  staticRoutes(router)
  signInRoutes(router)
}
