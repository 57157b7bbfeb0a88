import { streamLog } from '../../src/config/log.js'
import { buildRouter } from '../../src/daemon/http-app.js'
import { openReader, openTree } from '../../src/daemon/open-tree.js'
import type { Services } from '../../src/daemon/services.js'
import { listen } from '../../src/server/http.js'
import type { S3Env } from './s3env.js'

export const TOKEN = 'dashboard-test-token'

export interface AppClient {
  url: string
  services: Services
  /** fetch with the token; `path` starts with '/'. */
  fetch: (path: string, init?: RequestInit) => Promise<Response>
  /** GET (or other method) expecting 2xx JSON. */
  json: <T = any>(path: string, init?: RequestInit) => Promise<T>
  close: () => Promise<void>
}

/**
 * The app's real router on a loopback port, over services assembled from
 * `flags` (settings isolated from the user's config file, labels in a
 * fresh local store). `s3Gateway` is what the dashboard is told of a gateway beside it.
 */
export async function startApp (env: S3Env, flags: Record<string, unknown> = {}, s3Gateway: string | null = null): Promise<AppClient> {
  const services = env.services({ 'mount-point': '/mnt/infinstor', ...flags })
  const log = streamLog(() => {})
  const tree = openTree(services, openReader(services, log), log)
  const server = await listen(buildRouter(services, tree, s3Gateway), { host: '127.0.0.1', port: 0, token: TOKEN, allowOrigins: [] })
  const go = async (path: string, init: RequestInit = {}): Promise<Response> =>
    await fetch(server.url + path, { ...init, headers: { Authorization: `token ${TOKEN}`, ...init.headers } })
  return {
    url: server.url,
    services,
    fetch: go,
    json: async (path, init) => {
      const res = await go(path, init)
      const text = await res.text()
      if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: ${res.status} ${text}`)
      return JSON.parse(text)
    },
    close: server.close
  }
}
