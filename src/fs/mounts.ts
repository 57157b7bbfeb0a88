import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import type { Log } from '../config/log.js'
import { InfinError } from '../core/errors.js'

/**
 * Book-keeping for mounts: a status file per mount point (who serves it,
 * since when, where it logs), and the kernel's mount table. Nothing here
 * touches a mounted tree itself: a stale mount point fails with ENOTCONN,
 * and a live one must never be read from the process that serves it.
 */
export const FS_TYPE = 'fuse.infinstor'

export interface MountStatus {
  mountpoint: string
  pid: number
  started: string
  endpoint?: string
  buckets?: string[]
  /** The daemon's log file; absent for a foreground mount (it logs to stderr). */
  log?: string
  /** The HTTP API served beside the mount, if it started. */
  http?: string
  /** Why no HTTP API is served beside the mount (--no-serve, or why it could not start). */
  httpNotServed?: string
}

export function stateDir (env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== ''
    ? env.XDG_STATE_HOME
    : join(homedir(), '.local', 'state')
  return join(base, 'infinstor', 'mounts')
}

/**
 * An absolute path for a mount point without looking inside it: the parent
 * is resolved, the last component is kept, since a stale mount point
 * cannot even be stat'ed.
 */
export async function canonicalMountpoint (path: string): Promise<string> {
  const abs = resolve(path)
  if (abs === '/') return abs
  const parent = await realpath(dirname(abs)).catch(() => dirname(abs))
  return join(parent, basename(abs))
}

function fileBase (mountpoint: string, env: NodeJS.ProcessEnv): string {
  return join(stateDir(env), createHash('sha256').update(mountpoint).digest('hex').slice(0, 16))
}

export function logFileFor (mountpoint: string, env: NodeJS.ProcessEnv = process.env): string {
  return fileBase(mountpoint, env) + '.log'
}

export async function writeStatus (s: MountStatus, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await mkdir(stateDir(env), { recursive: true, mode: 0o700 })
  await writeFile(fileBase(s.mountpoint, env) + '.json', JSON.stringify(s, null, 2) + '\n', { mode: 0o600 })
}

export async function readStatus (mountpoint: string, env: NodeJS.ProcessEnv = process.env): Promise<MountStatus | undefined> {
  try {
    return JSON.parse(await readFile(fileBase(mountpoint, env) + '.json', 'utf8')) as MountStatus
  } catch {
    return undefined
  }
}

export async function removeStatus (mountpoint: string, pid: number, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const s = await readStatus(mountpoint, env)
  if (s?.pid === pid) await rm(fileBase(mountpoint, env) + '.json', { force: true })
}

export async function allStatuses (env: NodeJS.ProcessEnv = process.env): Promise<MountStatus[]> {
  const names = await readdir(stateDir(env)).catch(() => [] as string[])
  const out: MountStatus[] = []
  for (const n of names.filter(n => n.endsWith('.json'))) {
    try {
      out.push(JSON.parse(await readFile(join(stateDir(env), n), 'utf8')) as MountStatus)
    } catch {}
  }
  return out
}

/** True while `pid` runs. A zombie counts as gone: a daemon's exit is reaped by whoever adopted it, maybe late. */
export function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    // The state follows the command name, which is in parentheses and may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** /proc/mounts escapes space, tab, newline and backslash as octal. */
function unescapeMountField (s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)))
}

/** The file system type mounted at `mountpoint` (the topmost), or undefined. */
export async function mountedType (mountpoint: string): Promise<string | undefined> {
  const table = await readFile('/proc/self/mounts', 'utf8')
  let found: string | undefined
  for (const line of table.split('\n')) {
    const [, point, type] = line.split(' ')
    if (point !== undefined && unescapeMountField(point) === mountpoint) found = type
  }
  return found
}

/** Detaches a mount point even if busy; for stale mounts and daemons that are gone. */
export async function lazyUnmount (mountpoint: string): Promise<void> {
  try {
    await promisify(execFile)('fusermount', ['-uz', mountpoint])
  } catch (e) {
    const err = e as { stderr?: string, message: string }
    throw new InfinError('Unavailable', `cannot unmount ${mountpoint}: ${(err.stderr ?? err.message).trim()}`, { cause: e })
  }
}

/** Polls until `check` holds or `ms` pass; returns whether it held. */
export async function waitFor (check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    if (await check()) return true
    if (Date.now() >= deadline) return false
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** True when a status file's process is alive and still an infinstor process. */
export async function servedBy (s: MountStatus | undefined): Promise<boolean> {
  if (s === undefined || !isAlive(s.pid)) return false
  // A recycled pid belongs to some other program: its command line says so.
  const cmdline = await readFile(`/proc/${s.pid}/cmdline`, 'utf8').catch(() => undefined)
  return cmdline === undefined || cmdline.includes('infinstor')
}

/**
 * Makes sure `mountpoint` can be mounted: a directory, not served by a live
 * infinstor, and not left mounted by a crashed one (that is cleared).
 */
export async function prepareMountpoint (mountpoint: string, log: Log): Promise<void> {
  const type = await mountedType(mountpoint)
  if (type === undefined) {
    const st = await stat(mountpoint).catch(() => undefined)
    if (st === undefined) throw new InfinError('Usage', `mount point ${mountpoint} does not exist; create it first (mkdir -p ${mountpoint})`)
    if (!st.isDirectory()) throw new InfinError('Usage', `mount point ${mountpoint} is not a directory`)
    return
  }
  const s = await readStatus(mountpoint)
  if (await servedBy(s) && s?.pid !== process.pid) {
    throw new InfinError('Conflict', `${mountpoint} is already mounted by infinstor (pid ${s?.pid}); use 'infinstor unmount ${mountpoint}' first`)
  }
  if (type !== FS_TYPE) throw new InfinError('Conflict', `${mountpoint} is already a mount point (${type}); choose an empty directory`)
  log.info(`clearing a stale mount at ${mountpoint} (its process${s === undefined ? '' : ` ${s.pid}`} is gone)`)
  await lazyUnmount(mountpoint)
}
