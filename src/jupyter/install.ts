import { execFile } from 'node:child_process'
import { constants } from 'node:fs'
import { access, cp, readFile, rm } from 'node:fs/promises'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { InfinError } from '../core/errors.js'

/**
 * Installs the prebuilt JupyterLab extension the way `pip install` would:
 * by copying it into `<data dir>/labextensions/<name>`, where JupyterLab
 * finds prebuilt extensions without a rebuild.
 */

/** Where the extension is built to (src/labext/package.json's outputDir). */
export const BUILT = resolve(fileURLToPath(import.meta.url), '../../../dist/labextension')

export type Scope =
  | { kind: 'sys-prefix' | 'user', jupyter?: string }
  | { kind: 'prefix', dir: string }
  | { kind: 'data-dir', dir: string }

export async function builtExtension (): Promise<{ dir: string, name: string, version: string }> {
  let pkg: { name: string, version: string }
  try {
    pkg = JSON.parse(await readFile(join(BUILT, 'package.json'), 'utf8'))
  } catch {
    throw new InfinError('Usage', `the JupyterLab extension is not built (no ${BUILT}); build it with: npm run build:labext`)
  }
  return { dir: BUILT, name: pkg.name, version: pkg.version }
}

async function executable (path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

async function which (command: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && await executable(join(dir, command))) return join(dir, command)
  }
  return undefined
}

/**
 * The Python that runs a `jupyter` script: its shebang, or pip's `/bin/sh`
 * trampoline for long paths, else a python next to it.
 */
export async function pythonOf (jupyter: string): Promise<string> {
  const head = (await readFile(jupyter, 'latin1').catch(() => '')).slice(0, 1024).split('\n')
  const bang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(head[0] ?? '')
  if (bang !== null) {
    if (bang[1].endsWith('/env') && bang[2] !== undefined) return bang[2]
    if (/python[\d.]*$/.test(bang[1])) return bang[1]
    const trampoline = /^'''exec' (?:"([^"]+)"|(\S+))/.exec(head[1] ?? '')
    if (trampoline !== null) return trampoline[1] ?? trampoline[2]
  }
  for (const name of ['python3', 'python']) {
    const candidate = join(dirname(jupyter), name)
    if (await executable(candidate)) return candidate
  }
  throw new InfinError('Usage', `cannot tell which Python runs ${jupyter}; give --data-dir or --prefix instead`)
}

const ASK_PYTHON = 'import json, sys\n' +
  'from jupyter_core.paths import jupyter_data_dir\n' +
  'print(json.dumps({"user": jupyter_data_dir(), "env": str(__import__("pathlib").Path(sys.prefix, "share", "jupyter"))}))'

/** The Jupyter data dir a scope means (labextensions/ goes under it). */
export async function dataDir (scope: Scope): Promise<string> {
  if (scope.kind === 'data-dir') return resolve(scope.dir)
  if (scope.kind === 'prefix') return resolve(scope.dir, 'share', 'jupyter')
  const jupyter = scope.jupyter ?? await which('jupyter')
  if (jupyter === undefined) {
    throw new InfinError('Usage', 'no jupyter command on PATH: activate the environment that runs JupyterLab, or give --jupyter PATH, --prefix DIR or --data-dir DIR')
  }
  const python = await pythonOf(jupyter)
  let out: string
  try {
    out = (await promisify(execFile)(python, ['-c', ASK_PYTHON], { timeout: 30_000 })).stdout
  } catch (e) {
    throw new InfinError('Usage', `cannot ask ${python} (the Python of ${jupyter}) for its Jupyter paths: ${(e as Error).message.split('\n')[0]}`)
  }
  const paths = JSON.parse(out) as { user: string, env: string }
  return scope.kind === 'user' ? paths.user : paths.env
}

export function destinationOf (data: string, name: string): string {
  return join(data, 'labextensions', ...name.split('/'))
}

export async function install (scope: Scope): Promise<string> {
  const built = await builtExtension()
  const dest = destinationOf(await dataDir(scope), built.name)
  // A clean copy: files of an older build would otherwise linger beside the new ones.
  await rm(dest, { recursive: true, force: true })
  await cp(built.dir, dest, { recursive: true })
  return dest
}

/** Removes the extension; answers where it looked and whether it was there. */
export async function uninstall (scope: Scope): Promise<{ dest: string, removed: boolean }> {
  const built = await builtExtension()
  const dest = destinationOf(await dataDir(scope), built.name)
  const present = await access(dest).then(() => true, () => false)
  await rm(dest, { recursive: true, force: true })
  return { dest, removed: present }
}
