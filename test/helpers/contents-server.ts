import { join } from 'node:path'
import { streamLog } from '../../src/config/log.js'
import { startHttp, type HttpServer } from '../../src/daemon/http-app.js'
import { openReader, openTree } from '../../src/daemon/open-tree.js'
import type { Services } from '../../src/daemon/services.js'
import type { TimeTree } from '../../src/tree/time-tree.js'
import type { S3Env } from './s3env.js'
import { tempDir } from './temp.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export const TOKEN = 'contents-test-token'

export interface ServeOptions {
  /** Settings as command-line flags. */
  flags?: Record<string, unknown>
  /** A tree to serve over (as a mount shares its tree); by default one of the server's own. */
  tree?: (services: Services) => TimeTree
}

/** The real HTTP server (token auth, every route) over services of its own, on a free port. */
export async function serveContents (t: Teardown, env: S3Env, opts: ServeOptions = {}): Promise<HttpServer & { services: Services }> {
  const dir = tempDir(t, 'contents')
  const services = env.services({
    port: 0,
    token: TOKEN,
    'token-file': join(dir, 'token'),
    // Labels may name history this old: tests label times a few seconds back.
    'settle-margin-ms': 1000,
    ...opts.flags
  })
  const log = streamLog(() => {})
  const tree = opts.tree?.(services) ?? openTree(services, openReader(services, log), log)
  const served = await startHttp(services, tree)
  t.teardown(served.close)
  return { ...served, services }
}

/** A GET (or other method) with the token, as Jupyter clients send it. */
export function client (served: HttpServer): (path: string, init?: RequestInit) => Promise<Response> {
  return async (path, init = {}) => await fetch(served.url + path, {
    ...init,
    headers: { Authorization: `token ${TOKEN}`, ...(init.headers as Record<string, string> | undefined) }
  })
}
