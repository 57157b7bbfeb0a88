import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SETTINGS, Settings } from '../../src/config/settings.js'
import type { Engine } from '../../src/engine/engine.js'
import { attachLabels } from '../../src/labels/open.js'
import { buildRouter } from '../../src/daemon/http-app.js'
import { listen } from '../../src/server/http.js'

export const TOKEN = 'dashboard-test-token'

export interface AppClient {
  url: string
  /** fetch with the token; `path` starts with '/'. */
  fetch: (path: string, init?: RequestInit) => Promise<Response>
  /** GET (or other method) expecting 2xx JSON. */
  json: <T = any>(path: string, init?: RequestInit) => Promise<T>
  close: () => Promise<void>
}

/**
 * The app's real router on a loopback port, settings isolated from the
 * user's config file, labels in a fresh local store (as openEngine would attach them).
 */
export async function startApp (engine: Engine, flags: Record<string, unknown> = {}): Promise<AppClient> {
  const labelStore = join(mkdtempSync(join(tmpdir(), 'infinstor-labels-')), 'labels.json')
  const settings = new Settings(SETTINGS, { 'mount-point': '/mnt/infinstor', 'label-store': labelStore, 'settle-margin-ms': 2000, ...flags },
    { INFINSTOR_CONFIG: '/nonexistent/config.json' })
  if (engine.labels === undefined) attachLabels(engine, settings)
  const server = await listen(buildRouter({ engine, settings }), { host: '127.0.0.1', port: 0, token: TOKEN, allowOrigins: [] })
  const go = async (path: string, init: RequestInit = {}): Promise<Response> =>
    await fetch(server.url + path, { ...init, headers: { Authorization: `token ${TOKEN}`, ...init.headers } })
  return {
    url: server.url,
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
