import type { Log } from '../config/log.js'
import { serveApp, type AppDeps, type Served } from './http-app.js'

/**
 * Starts the HTTP server beside a mount, over the mount's tree. The mount
 * is what notebooks depend on, so a server that cannot start (say, its
 * port is taken by another mount) is logged and the mount goes on.
 */
export async function serveBesideMount (deps: AppDeps & { tree: NonNullable<AppDeps['tree']> }, log: Log): Promise<Served | undefined> {
  try {
    const served = await serveApp(deps)
    log.info(`HTTP API (Jupyter contents, InfinStor) at ${served.url}; token file: ${served.tokenPath}`)
    return served
  } catch (e) {
    log.info(`HTTP API not started: ${(e as Error).message}. The mount works without it; ` +
      'choose another --port, or pass --no-serve to skip it')
    return undefined
  }
}
