import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * Everything the bench started that must not outlive it: FUSE mounts and
 * the processes serving them. The list is mirrored to a file, so a bench
 * killed with SIGKILL is cleaned up by the next run.
 */
interface Live {
  mounts: string[]
  /**
   * pid and a piece of its command line unique to it (a mount point, a
   * port), so a recycled pid, even of another run's daemon, is never killed.
   */
  pids: Array<{ pid: number, cmd: string }>
}

export class Cleanup {
  private live: Live = { mounts: [], pids: [] }

  constructor (private readonly stateFile: string) {
    mkdirSync(dirname(stateFile), { recursive: true })
  }

  addMount (path: string): void { this.live.mounts.push(path); this.save() }
  dropMount (path: string): void { this.live.mounts = this.live.mounts.filter(m => m !== path); this.save() }
  addPid (pid: number, cmd: string): void { this.live.pids.push({ pid, cmd }); this.save() }
  dropPid (pid: number): void { this.live.pids = this.live.pids.filter(p => p.pid !== pid); this.save() }

  private save (): void {
    writeFileSync(this.stateFile, JSON.stringify(this.live))
  }

  /** Clears what a previous, killed run left behind. */
  sweepLeftovers (): void {
    let old: Live
    try {
      old = JSON.parse(readFileSync(this.stateFile, 'utf8')) as Live
    } catch {
      return
    }
    const had = old.mounts.length + old.pids.length
    if (had > 0) process.stderr.write(`bench: clearing ${had} leftover mount(s)/process(es) of an earlier run\n`)
    releaseAll(old)
    this.save()
  }

  /**
   * Synchronous, so it also works from an 'exit' handler: lazily unmounts
   * every mount (readers blocked on them get errors instead of hanging),
   * then kills the processes that served them.
   */
  releaseAll (): void {
    releaseAll(this.live)
    this.live = { mounts: [], pids: [] }
    this.save()
  }
}

function mounted (path: string): boolean {
  return mountedPaths().has(path)
}

/** Mount points in /proc/self/mountinfo (field 5, octal escapes decoded). */
export function mountedPaths (): Set<string> {
  const text = readFileSync('/proc/self/mountinfo', 'utf8')
  return new Set(text.split('\n').filter(Boolean).map(line =>
    line.split(' ')[4].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))))
}

function alive (pid: number, cmd: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(cmd)
  } catch {
    return false
  }
}

function releaseAll (live: Live): void {
  for (const m of live.mounts) {
    if (mounted(m)) spawnSync('fusermount', ['-u', '-z', m], { stdio: 'ignore' })
  }
  for (const { pid, cmd } of live.pids) {
    if (alive(pid, cmd)) {
      try { process.kill(pid, 'SIGKILL') } catch {}
    }
  }
  for (const m of live.mounts) {
    // rmdir only: never a recursive delete near a mount point.
    try { if (!mounted(m)) rmdirSync(m) } catch {}
  }
}
