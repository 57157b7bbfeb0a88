import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { BIN, type S3Env } from './s3env.js'

/**
 * Real FUSE mounts for tests. The mount is served by a child process
 * (`infinstor mount --foreground`), and everything on it is read by other
 * child processes (find, cat, python3): the test process never touches the
 * mounted tree itself. Every mount is unmounted at teardown, and, as a last
 * resort, when the test process exits.
 */

export interface Mounted {
  dir: string
  proc: ChildProcess
  /** Environment of the mount process (XDG dirs included), for CLI calls about it. */
  env: NodeJS.ProcessEnv
  /** What the mount process wrote to stderr so far (its log). */
  log: () => string
  unmount: () => Promise<void>
}

interface Teardown {
  teardown: (fn: () => unknown) => void
  /** tap's: false once an assertion of the test failed. */
  passing?: () => boolean
}

const live = new Set<string>()
process.on('exit', () => {
  for (const dir of live) spawnSync('fusermount', ['-uz', dir])
})

/** The file system type mounted at `dir`, from the kernel's table (not from the mount). */
export function mountedType (dir: string): string | undefined {
  let found: string | undefined
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [, point, type] = line.split(' ')
    if (point === dir) found = type
  }
  return found
}

/** A fresh, empty mount point and state directory under /tmp. */
export function scratch (t: Teardown): { dir: string, state: string } {
  const dir = mkdtempSync('/tmp/infinstor-fuse-mnt-')
  const state = mkdtempSync('/tmp/infinstor-fuse-state-')
  t.teardown(() => {
    if (mountedType(dir) === undefined) rmSync(dir, { recursive: true, force: true })
    rmSync(state, { recursive: true, force: true })
  })
  return { dir, state }
}

export interface MountOptions {
  buckets?: string[]
  /** More command-line flags, e.g. ['--attr-timeout', '5']. */
  args?: string[]
  extraEnv?: NodeJS.ProcessEnv
  /** Reuse a mount point (e.g. to mount again after a crash). */
  at?: { dir: string, state: string }
}

export async function mountTree (t: Teardown, env: S3Env, opts: MountOptions = {}): Promise<Mounted> {
  const { dir, state } = opts.at ?? scratch(t)
  const mountEnv = { ...env.env, XDG_STATE_HOME: state, XDG_CONFIG_HOME: state, ...opts.extraEnv }
  const args = [BIN, 'mount', dir, '--foreground', ...(opts.buckets ?? []).flatMap(b => ['--bucket', b]), ...(opts.args ?? [])]
  const proc = spawn(process.execPath, args, { env: mountEnv, stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => { log += chunk })
  live.add(dir)
  const unmount = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000)
      await once(proc, 'exit').catch(() => {})
      clearTimeout(timer)
    }
    if (mountedType(dir) !== undefined) spawnSync('fusermount', ['-uz', dir])
    live.delete(dir)
  }
  t.teardown(async () => {
    // A failed mount test shows why the mount did what it did.
    if (t.passing?.() === false) process.stderr.write(`\n--- log of the mount at ${dir} (the test failed) ---\n${log}--- end of the mount log ---\n`)
    await unmount()
  })
  const started = Date.now()
  while (!log.includes('serving ')) {
    if (proc.exitCode !== null || Date.now() - started > 30_000) {
      await unmount()
      throw new Error(`mount failed (exit ${proc.exitCode}):\n${log}`)
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return { dir, proc, env: mountEnv, log: () => log, unmount }
}

export interface RunResult { code: number | null, stdout: string, stderr: string, timedOut: boolean }

/** Runs a program to completion, killing it after `timeoutMs` (a hang is a failure, not a wait). */
export async function run (file: string, args: string[], opts: { cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number } = {}): Promise<RunResult> {
  return await new Promise(resolve => {
    const child = execFile(file, args, {
      cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs ?? 120_000, killSignal: 'SIGKILL', maxBuffer: 1 << 28, encoding: 'utf8'
    }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean, code?: number | string }) | null
      resolve({
        code: e === null ? 0 : typeof e.code === 'number' ? e.code : child.exitCode,
        stdout,
        stderr,
        timedOut: e?.killed === true && child.signalCode === 'SIGKILL'
      })
    })
  })
}

/** sha256 of every regular file under `dir`, by path relative to it, hashed by a child process. */
export async function hashTree (dir: string): Promise<Map<string, string>> {
  const r = await run('find', ['.', '-type', 'f', '-exec', 'sha256sum', '{}', '+'], { cwd: dir })
  if (r.code !== 0) throw new Error(`find in ${dir} failed: ${r.stderr}`)
  const out = new Map<string, string>()
  for (const line of r.stdout.split('\n').filter(l => l !== '')) {
    const m = /^([0-9a-f]{64}) [ *]\.\/(.*)$/.exec(line)
    if (m === null) throw new Error(`unexpected sha256sum line: ${line}`)
    out.set(m[2], m[1])
  }
  return out
}

/** Every directory under `dir` (not `dir` itself), relative to it. */
export async function dirTree (dir: string): Promise<string[]> {
  const r = await run('find', ['.', '-mindepth', '1', '-type', 'd'], { cwd: dir })
  if (r.code !== 0) throw new Error(`find in ${dir} failed: ${r.stderr}`)
  return r.stdout.split('\n').filter(l => l !== '').map(l => l.slice(2)).sort()
}
