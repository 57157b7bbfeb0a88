import { execFile } from 'node:child_process'
import { constants } from 'node:fs'
import { access, readFile } from 'node:fs/promises'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { InfinError } from '../core/errors.js'

/**
 * `infinstor jupyter install`: pip-installs the infinstor-jupyter package
 * (the repository's python/ folder) into the environment that runs
 * JupyterLab. The package holds the three pieces: the prebuilt labextension
 * (share/jupyter/labextensions), the server extension, enabled by a file in
 * etc/jupyter/jupyter_server_config.d, and the kernel helper `infinstor`.
 */

/** The InfinStor checkout (or installed package) this command runs from. */
export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..')
/** The Python package's source folder. */
export const PACKAGE_DIR = join(ROOT, 'python')
export const PACKAGE_NAME = 'infinstor-jupyter'
/** Where the package expects the built labextension (src/labext/package.json's outputDir). */
export const BUILT = join(ROOT, 'dist', 'labextension')
/** A folder of wheels for offline installs, used when it exists. */
export const WHEELS = '/opt/pypi/files'

export type Scope =
  | { kind: 'sys-prefix' | 'user', python?: string, jupyter?: string }
  | { kind: 'prefix', dir: string, python?: string, jupyter?: string }

export interface PipCommand { python: string, args: string[] }

async function executable (path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export async function which (command: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
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
  throw new InfinError('Usage', `cannot tell which Python runs ${jupyter}; give --python PATH instead`)
}

function shellWord (word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`
}

export function commandText (cmd: PipCommand): string {
  return [cmd.python, ...cmd.args].map(shellWord).join(' ')
}

/** The Python whose environment gets the package: --python, else the one behind --jupyter or the jupyter on PATH. */
export async function targetPython (scope: Scope): Promise<string | undefined> {
  if (scope.python !== undefined) return scope.python
  const jupyter = scope.jupyter ?? await which('jupyter')
  return jupyter === undefined ? undefined : await pythonOf(jupyter)
}

export async function pipCommand (action: 'install' | 'uninstall', scope: Scope, python: string): Promise<PipCommand> {
  if (action === 'uninstall') {
    if (scope.kind === 'prefix') throw new InfinError('Usage', `pip cannot uninstall from a --prefix; delete what it installed under ${scope.dir}`)
    return { python, args: ['-m', 'pip', 'uninstall', '--yes', PACKAGE_NAME] }
  }
  // Under a prefix, pip would first uninstall the package from the environment it runs in, and put every
  // dependency under the prefix too: this package alone goes there, and the environment stays as it is.
  const where = scope.kind === 'user' ? ['--user'] : scope.kind === 'prefix' ? ['--prefix', resolve(scope.dir), '--ignore-installed', '--no-deps'] : []
  const offline = await access(WHEELS).then(() => ['--no-index', '--find-links', WHEELS], () => [])
  // pip always rebuilds and replaces a package installed from a folder, so a rebuilt drive gets in.
  return { python, args: ['-m', 'pip', 'install', '--quiet', ...where, ...offline, PACKAGE_DIR] }
}

async function run (cmd: PipCommand): Promise<void> {
  try {
    await promisify(execFile)(cmd.python, cmd.args, { timeout: 600_000, maxBuffer: 1 << 24 })
  } catch (e) {
    const err = e as { stderr?: string, message: string, code?: unknown }
    const tail = (err.stderr ?? err.message).trim().split('\n').slice(-8).join('\n')
    throw new InfinError('Unavailable', `pip failed${typeof err.code === 'number' ? ` (exit code ${err.code})` : ''}:\n${tail}\n` +
      `The command was: ${commandText(cmd)}`)
  }
}

export async function checkBuilt (): Promise<void> {
  if (!await access(join(BUILT, 'package.json')).then(() => true, () => false)) {
    throw new InfinError('Usage', `the JupyterLab extension is not built (no ${BUILT}); build it with: npm run build:labext`)
  }
}

/** Installs the package; answers the pip command it ran. */
export async function install (scope: Scope, python: string): Promise<PipCommand> {
  await checkBuilt()
  const cmd = await pipCommand('install', scope, python)
  await run(cmd)
  return cmd
}

export async function uninstall (scope: Scope, python: string): Promise<PipCommand> {
  const cmd = await pipCommand('uninstall', scope, python)
  await run(cmd)
  return cmd
}
