import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SETTINGS, Settings } from '../../src/config/settings.js'
import type { Engine } from '../../src/engine/engine.js'
import type { TimeTree } from '../../src/fs/tree.js'
import { serveApp, type Served } from '../../src/server/app.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export const TOKEN = 'contents-test-token'

/** The real HTTP server (buildRouter, token auth) over `engine` (and a mount's `tree`), on a free port. */
export async function serveContents (t: Teardown, engine: Engine, flags: Record<string, unknown> = {}, tree?: TimeTree): Promise<Served> {
  const dir = await mkdtemp(join(tmpdir(), 'infinstor-contents-'))
  const settings = new Settings(SETTINGS, { port: 0, token: TOKEN, 'token-file': join(dir, 'token'), ...flags },
    { ...process.env, INFINSTOR_CONFIG: join(dir, 'none.json') })
  const served = await serveApp({ engine, settings, tree })
  t.teardown(served.close)
  return served
}

/** A GET (or other method) with the token, as Jupyter clients send it. */
export function client (served: Served): (path: string, init?: RequestInit) => Promise<Response> {
  return async (path, init = {}) => await fetch(served.url + path, {
    ...init,
    headers: { Authorization: `token ${TOKEN}`, ...(init.headers as Record<string, string> | undefined) }
  })
}
