import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../src/demo/moto.js'

export const VENV_BIN = fileURLToPath(new URL('../../.venv/bin/', import.meta.url))

interface Teardown { teardown: (fn: () => unknown) => void }

export interface Lab {
  url: string
  origin: string
  token: string
  /** The folder JupyterLab serves as its own (default) drive. */
  root: string
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
export async function prepareLab (t: Teardown, port?: number): Promise<Lab> {
  const home = await mkdtemp(join(tmpdir(), 'infinstor-lab-'))
  const dirs = Object.fromEntries(['root', 'data', 'config', 'runtime', 'settings', 'workspaces', 'ipython'].map(d => [d, join(home, d)]))
  for (const d of Object.values(dirs)) await mkdir(d, { recursive: true })
  const p = port ?? await freePort()
  const origin = `http://127.0.0.1:${p}`
  const token = 'lab-' + Math.random().toString(36).slice(2)
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${VENV_BIN}:${process.env.PATH ?? ''}`,
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
    url: origin + '/',
    origin,
    token,
    root: dirs.root,
    dataDir: dirs.data,
    settingsDir: dirs.settings,
    env,
    log: () => output.slice(-4000),
    start: async () => {
      child = spawn(join(VENV_BIN, 'jupyter'), [
        'lab', '--no-browser', '--allow-root', `--port=${p}`, '--ServerApp.ip=127.0.0.1', '--ServerApp.port_retries=0',
        `--IdentityProvider.token=${token}`, `--ServerApp.root_dir=${dirs.root}`,
        // The tests read documents through the app object, and nothing may call out to the internet.
        '--LabApp.expose_app_in_browser=True', '--LabApp.news_url=None',
        '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'
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
