import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { openSync, closeSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { mountedPaths, type Cleanup } from './cleanup.js'

export interface RunResult {
  code: number
  /** Killed for running past its time limit. */
  timedOut: boolean
  stdout: string
  stderr: string
  /** Wall time from spawn to exit. */
  seconds: number
}

/**
 * Runs a child to completion and times it. Mounts are only ever read from
 * children like this one: a process serving a mount must not also read it.
 */
export async function run (cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv, input?: string, timeoutMs?: number, keepStdout?: boolean } = {}): Promise<RunResult> {
  const start = process.hrtime.bigint()
  const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let lines = 0
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    // Listings of 20k entries are counted, not kept.
    if (opts.keepStdout !== false) stdout += d
    else for (let i = d.indexOf('\n'); i !== -1; i = d.indexOf('\n', i + 1)) lines++
  })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < 65536) stderr += d })
  child.stdin.on('error', () => {})
  child.stdin.end(opts.input ?? '')
  let timedOut = false
  const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, opts.timeoutMs ?? 600_000)
  const [code] = await once(child, 'close') as [number | null]
  clearTimeout(timer)
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (opts.keepStdout === false) stdout = String(lines)
  return { code: code ?? -1, timedOut, stdout, stderr: stderr.trim(), seconds }
}

/** A measured operation ran out of its time budget. */
export class TimeoutError extends Error {}

/** Like run, but a non-zero exit is an error carrying the child's stderr. */
export async function check (cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts)
  if (r.timedOut) throw new TimeoutError(`${cmd} did not finish within ${((opts.timeoutMs ?? 0) / 1000).toFixed(0)} s`)
  if (r.code !== 0) throw new Error(`${cmd} exited ${r.code}: ${lastLine(r.stderr)}`)
  return r
}

export function lastLine (text: string): string {
  const lines = text.trim().split('\n')
  return lines[lines.length - 1]?.slice(0, 300) ?? ''
}

/** A long-running child (a mount daemon), in its own process group so Ctrl-C reaches the bench first. */
export class Daemon {
  readonly child: ChildProcess
  readonly pid: number

  /** `mark` is an argument unique to this daemon (its mount point), to recognise its pid later. */
  constructor (cleanup: Cleanup, cmd: string, args: string[], env: NodeJS.ProcessEnv, readonly logFile: string, mark: string) {
    const log = openSync(logFile, 'a')
    this.child = spawn(cmd, args, { env, stdio: ['ignore', log, log], detached: true })
    closeSync(log)
    if (this.child.pid === undefined) throw new Error(`cannot start ${cmd}`)
    this.pid = this.child.pid
    cleanup.addPid(this.pid, mark)
    this.child.on('exit', () => cleanup.dropPid(this.pid))
  }

  get exited (): boolean { return this.child.exitCode !== null || this.child.signalCode !== null }

  log (): string {
    try { return readFileSync(this.logFile, 'utf8') } catch { return '' }
  }

  /** SIGTERM, then SIGKILL if it does not go within the grace period. */
  async stop (graceMs = 5000): Promise<void> {
    if (this.exited) return
    const gone = once(this.child, 'exit')
    this.child.kill('SIGTERM')
    const done = await Promise.race([gone.then(() => true), sleep(graceMs).then(() => false)])
    if (!done) {
      this.child.kill('SIGKILL')
      await gone
    }
  }
}

export async function waitMounted (path: string, daemon: Daemon, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (mountedPaths().has(path)) return
    if (daemon.exited) throw new Error(`mount daemon exited: ${lastLine(daemon.log())}`)
    await sleep(50)
  }
  throw new Error(`${path} was not mounted within ${timeoutMs / 1000} s: ${lastLine(daemon.log())}`)
}

/** Unmounts, retrying while busy (readers just exited), lazily as a last resort. */
export async function unmount (path: string): Promise<void> {
  for (let i = 0; i < 20 && mountedPaths().has(path); i++) {
    const r = await run('fusermount', ['-u', path], { timeoutMs: 10_000 })
    if (r.code === 0) return
    await sleep(100)
  }
  if (mountedPaths().has(path)) await run('fusermount', ['-u', '-z', path], { timeoutMs: 10_000 })
}

/**
 * Empties the kernel's page, dentry and inode caches, so cold runs start
 * cold. Needs root; without it, remounting still empties FUSE's caches.
 */
export async function dropCaches (): Promise<boolean> {
  const r = await run('sh', ['-c', 'echo 3 > /proc/sys/vm/drop_caches'], { timeoutMs: 60_000 })
  return r.code === 0
}

/** Peak resident set size of a live process, in bytes (VmHWM). */
export function peakRss (pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (m === null) throw new Error(`no VmHWM for pid ${pid}`)
  return Number(m[1]) * 1024
}
