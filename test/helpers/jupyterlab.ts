import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../src/demo/moto.js'

export const VENV_BIN = fileURLToPath(new URL('../../.venv/bin/', import.meta.url))

interface Teardown { teardown: (fn: () => unknown) => void }

export interface LabOptions {
  port?: number
  /** JupyterLab's base URL, e.g. '/user/alice/' as on JupyterHub (default '/'). */
  baseUrl?: string
  /** More environment for the Jupyter server (and what it starts: the InfinStor daemon, kernels). */
  env?: NodeJS.ProcessEnv
  /** Written as the user's jupyter_server_config.json (e.g. to turn a server extension off). */
  serverConfig?: Record<string, unknown>
  /** `jupyter server` alone instead of JupyterLab. */
  serverOnly?: boolean
}

export interface Lab {
  /** JupyterLab's URL, with its base URL: http://127.0.0.1:PORT/BASE/ */
  url: string
  origin: string
  token: string
  /** The folder JupyterLab serves as its own (default) drive. */
  root: string
  runtimeDir: string
  /** Jupyter's data dir: `infinstor jupyter install --user` targets it through JUPYTER_DATA_DIR. */
  dataDir: string
  settingsDir: string
  /** The environment JupyterLab runs in (also right for `jupyter` commands). */
  env: NodeJS.ProcessEnv
  log: () => string
  start: () => Promise<void>
  stop: () => Promise<void>
}

async function ready (url: string, token: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`jupyter lab exited with ${child.exitCode}:\n${log()}`)
    try {
      const res = await fetch(`${url}api/status`, { headers: { Authorization: `token ${token}` }, signal: AbortSignal.timeout(2000) })
      await res.arrayBuffer()
      if (res.ok) return
    } catch {}
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  throw new Error(`jupyter lab did not answer at ${url}:\n${log()}`)
}

/**
 * A real JupyterLab from the venv, isolated from the user's Jupyter and
 * JupyterLab dirs (data, config, settings, workspaces, runtime) in a temp
 * folder; `start` runs it, and the teardown stops it and removes the folder.
 */
export async function prepareLab (t: Teardown, opts: LabOptions = {}): Promise<Lab> {
  const home = await mkdtemp(join(tmpdir(), 'infinstor-lab-'))
  const dirs = Object.fromEntries(['root', 'data', 'config', 'runtime', 'settings', 'workspaces', 'ipython'].map(d => [d, join(home, d)]))
  for (const d of Object.values(dirs)) await mkdir(d, { recursive: true })
  if (opts.serverConfig !== undefined) await writeFile(join(dirs.config, 'jupyter_server_config.json'), JSON.stringify(opts.serverConfig))
  const p = opts.port ?? await freePort()
  const origin = `http://127.0.0.1:${p}`
  const baseUrl = opts.baseUrl ?? '/'
  const token = 'lab-' + Math.random().toString(36).slice(2)
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...opts.env,
    PATH: `${VENV_BIN}:${opts.env?.PATH ?? process.env.PATH ?? ''}`,
    JUPYTER_DATA_DIR: dirs.data,
    JUPYTER_CONFIG_DIR: dirs.config,
    JUPYTER_RUNTIME_DIR: dirs.runtime,
    JUPYTERLAB_SETTINGS_DIR: dirs.settings,
    JUPYTERLAB_WORKSPACES_DIR: dirs.workspaces,
    IPYTHONDIR: dirs.ipython,
    JUPYTER_PLATFORM_DIRS: '1'
  }
  let child: ChildProcess | undefined
  let output = ''
  const lab: Lab = {
    url: origin + baseUrl,
    origin,
    token,
    root: dirs.root,
    runtimeDir: dirs.runtime,
    dataDir: dirs.data,
    settingsDir: dirs.settings,
    env,
    log: () => output.slice(-4000),
    start: async () => {
      child = spawn(join(VENV_BIN, 'jupyter'), [
        opts.serverOnly === true ? 'server' : 'lab', '--no-browser', '--allow-root', `--port=${p}`, '--ServerApp.ip=127.0.0.1',
        '--ServerApp.port_retries=0', `--IdentityProvider.token=${token}`, `--ServerApp.root_dir=${dirs.root}`, `--ServerApp.base_url=${baseUrl}`,
        // The tests read documents through the app object, and nothing may call out to the internet.
        ...(opts.serverOnly === true
          ? []
          : ['--LabApp.expose_app_in_browser=True', '--LabApp.news_url=None', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'])
      ], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      child.stdout?.on('data', (b: Buffer) => { output += b.toString() })
      child.stderr?.on('data', (b: Buffer) => { output += b.toString() })
      await ready(lab.url, token, child, lab.log)
    },
    stop: async () => {
      const c = child
      if (c === undefined || c.exitCode !== null || c.signalCode !== null) return
      c.kill('SIGTERM')
      const exited = once(c, 'exit')
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
  }
  t.teardown(async () => {
    await lab.stop()
    await rm(home, { recursive: true, force: true })
  })
  return lab
}

/** Writes the extension's user settings, as the Settings Editor would. */
export async function writeLabSettings (lab: Lab, plugin: string, values: Record<string, unknown>): Promise<void> {
  const [pkg, name] = plugin.split(':')
  const dir = join(lab.settingsDir, pkg)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, `${name}.jupyterlab-settings`), JSON.stringify(values, null, 2))
}
