import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SETTINGS, Settings } from '../../src/config/settings.js'
import type { Engine } from '../../src/engine/engine.js'
import type { TimeTree } from '../../src/tree/time-tree.js'
import type { Labels } from '../../src/labels/service.js'
import { attachLabels } from '../../src/labels/open.js'
import { serveApp, type Served } from '../../src/daemon/http-app.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export const TOKEN = 'contents-test-token'

export interface ServeOptions {
  /** Settings as command-line flags. */
  flags?: Record<string, unknown>
  /** A mount's tree to serve over (as `infinstor mount` does). */
  tree?: TimeTree
  /** Attach a fresh local label store to the engine (as openEngine does). */
  labels?: boolean
}

/** The real HTTP server (buildRouter, token auth) over `engine`, on a free port. */
export async function serveContents (t: Teardown, engine: Engine, opts: ServeOptions = {}): Promise<Served & { labels?: Labels }> {
  const dir = await mkdtemp(join(tmpdir(), 'infinstor-contents-'))
  const settings = new Settings(SETTINGS, {
    port: 0,
    token: TOKEN,
    'token-file': join(dir, 'token'),
    'label-store': join(dir, 'labels.json'),
    // Labels may name history this old: tests label times a few seconds back.
    'settle-margin-ms': 1000,
    ...opts.flags
  }, { ...process.env, INFINSTOR_CONFIG: join(dir, 'none.json') })
  const labels = opts.labels === true ? attachLabels(engine, settings) : undefined
  const served = await serveApp({ engine, settings, tree: opts.tree })
  t.teardown(served.close)
  return { ...served, labels }
}

/** A GET (or other method) with the token, as Jupyter clients send it. */
export function client (served: Served): (path: string, init?: RequestInit) => Promise<Response> {
  return async (path, init = {}) => await fetch(served.url + path, {
    ...init,
    headers: { Authorization: `token ${TOKEN}`, ...(init.headers as Record<string, string> | undefined) }
  })
}
