import type { Settings } from '../config/settings.js'
import { addContents } from '../contents/index.js'
import { dashboardRoutes } from '../dashboard/routes.js'
import type { Engine } from '../engine/engine.js'
import type { TimeTree } from '../tree/time-tree.js'
import { listen, Router, type RunningServer } from '../server/http.js'
import { loadToken, tokenFile } from '../server/token.js'

/** What every group of routes is built from. */
export interface AppDeps {
  engine: Engine
  settings: Settings
  /** The mount's tree, when serving beside a mount: one tree, one cache. */
  tree?: TimeTree
}

export const VERSION = '0.1.0'

/**
 * The one HTTP server: the Jupyter contents API, the InfinStor API and the
 * dashboard share it, its token and its engine (and so its caches).
 */
export function buildRouter (deps: AppDeps): Router {
  const router = new Router()
  dashboardRoutes(router, deps)
  addContents(router, deps)
  return router
}

export interface Served extends RunningServer {
  token: string
  tokenPath: string
}

export async function serveApp (deps: AppDeps): Promise<Served> {
  const tokenPath = deps.settings.str('token-file') ?? tokenFile()
  const token = await loadToken(deps.settings.str('token'), tokenPath)
  const allowOrigins = (deps.settings.str('allow-origin') ?? '').split(',').map(s => s.trim()).filter(s => s !== '')
  const server = await listen(buildRouter(deps), {
    host: deps.settings.str('host') ?? '127.0.0.1',
    port: deps.settings.num('port'),
    token,
    allowOrigins
  })
  return { ...server, token, tokenPath }
}
