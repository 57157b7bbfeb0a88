import type { Log } from '../config/log.js'
import type { Settings } from '../config/settings.js'
import { addContentsRoutes } from '../contents/routes.js'
import { dashboardRoutes } from '../dashboard/routes.js'
import { startGatewayBeside, type Gateway } from '../gateway/index.js'
import { listen, Router, type RunningServer } from '../server/http.js'
import { loadToken, tokenFile } from '../server/token.js'
import type { TimeTree } from '../tree/time-tree.js'
import { keepIndex } from './index-keeper.js'
import { openReader, openTree } from './open-tree.js'
import { openServices, type Services } from './services.js'

/**
 * The one HTTP server of a process: the Jupyter contents API (over the
 * process's tree: the mount's, when beside a mount), the InfinStor API and
 * the dashboard share it, its token and its engine (and so its caches).
 */
export function buildRouter ({ engine, labels, settings }: Services, tree: TimeTree, s3Gateway: string | null = null): Router {
  const router = new Router()
  const mountPoint = settings.get('mount-point')
  dashboardRoutes(router, { engine, labels, mountPoint, region: settings.get('region'), s3Gateway })
  addContentsRoutes(router, tree, { maxBytes: settings.get('contents-max-bytes'), mountPoint })
  return router
}

export interface HttpServer extends RunningServer {
  token: string
  /** Where the token is kept; undefined when it was given (--token), so no file is used. */
  tokenPath?: string
}

/** Where the token came from, for what the servers print. */
export function tokenSource (server: HttpServer): string {
  return server.tokenPath === undefined ? 'token: the one given (--token or $INFINSTOR_TOKEN)' : `token file: ${server.tokenPath}`
}

/** The HTTP server over `tree`; `s3Gateway` is the URL of the S3 gateway beside it, if one runs (the dashboard shows it). */
export async function startHttp (services: Services, tree: TimeTree, s3Gateway: string | null = null): Promise<HttpServer> {
  const { settings } = services
  const given = settings.get('token')
  const tokenPath = given === undefined || given === '' ? settings.get('token-file') ?? tokenFile() : undefined
  const token = await loadToken(given, tokenPath)
  const allowOrigins = (settings.get('allow-origin') ?? '').split(',').map(s => s.trim()).filter(s => s !== '')
  const server = await listen(buildRouter(services, tree, s3Gateway), {
    host: settings.get('host'),
    port: settings.get('port'),
    token,
    allowOrigins
  })
  return { ...server, token, tokenPath }
}

/**
 * Starts the HTTP server beside a mount, over the mount's tree. The mount
 * is what notebooks depend on, so a server that cannot start (say, its
 * port is taken by another mount) is logged, the mount goes on, and
 * `why` says what happened (for `mount --status`).
 */
export async function startHttpBesideMount (services: Services, tree: TimeTree, log: Log, s3Gateway: string | null = null): Promise<{ server?: HttpServer, why?: string }> {
  try {
    const server = await startHttp(services, tree, s3Gateway)
    log.info(`HTTP API (Jupyter contents, InfinStor) at ${server.url}; ${tokenSource(server)}`)
    return { server }
  } catch (e) {
    const why = `it could not start: ${(e as Error).message}`
    log.info(`HTTP API not started: ${(e as Error).message}. The mount works without it; ` +
      'choose another --port, or pass --no-serve to skip it')
    return { why }
  }
}

/**
 * `infinstor serve` and `infinstor ui`: the HTTP server over a tree of its
 * own, and with `gateway`, the S3 gateway beside it over the same reader
 * (one block cache for both).
 */
export async function startHttpAlone (settings: Settings, log: Log, opts: { gateway?: boolean } = {}): Promise<HttpServer & { gateway?: Gateway }> {
  const services = openServices(settings)
  // Up means ready to answer: the S3 client loads while the servers start.
  const prepared = services.s3.prepare()
  const reader = openReader(services, log)
  const gateway = opts.gateway === true ? await startGatewayBeside(services, reader, log) : undefined
  const server = await startHttp(services, openTree(services, reader, log), gateway?.url ?? null)
  const stopKeeper = await keepIndex(services, log)
  await prepared
  return {
    ...server,
    gateway,
    close: async () => {
      await server.close()
      await gateway?.close()
      await stopKeeper?.()
      await services.close()
    }
  }
}
