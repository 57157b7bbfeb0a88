import { createHash, randomBytes } from 'node:crypto'
import { link, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { InfinError } from '../core/errors.js'

export interface LockOptions {
  /** How long to wait for another holder before giving up. */
  waitMs: number
  /** A lock older than this is abandoned: holders keep it for milliseconds. */
  staleMs: number
}

interface Seen { raw: string, mtimeMs: number, pid?: number, host?: string }

const DEFAULTS: LockOptions = { waitMs: 10_000, staleMs: 30_000 }

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 8)

/**
 * Names this process in the names of its temporary files (a hash of the
 * host, and the pid), so that the leftovers of a process killed before it
 * could remove them are recognised and removed by the next one.
 */
export function ownerTag (): string {
  return `${HOST_TAG}-${process.pid}`
}

/**
 * Temporary files beside `file` that their owners left behind: `suffixes`
 * match the part of a name after `file`'s, with the owner tag (host hash
 * and pid) as groups 1 and 2 when there is one. A leftover is abandoned
 * when its owner is gone (same host, pid not running) or it is older than
 * `staleMs` (owners keep them for milliseconds). Removal is best effort.
 */
export async function removeLeftovers (file: string, suffixes: RegExp[], staleMs: number): Promise<void> {
  const dir = dirname(file)
  const base = basename(file)
  const names = await readdir(dir).catch(() => [] as string[])
  for (const name of names) {
    if (!name.startsWith(base)) continue
    const m = suffixes.map(re => re.exec(name.slice(base.length))).find(x => x !== null)
    if (m === undefined) continue
    const path = join(dir, name)
    const st = await stat(path).catch(() => undefined)
    if (st === undefined) continue
    const ownerGone = m[1] === HOST_TAG && m[2] !== undefined && !alive(Number(m[2]))
    if (ownerGone || Date.now() - st.mtimeMs > staleMs) await unlink(path).catch(() => {})
  }
}

/**
 * An exclusive lock file next to the file it guards, for processes on one
 * machine (or sharing a filesystem). The lock is created complete with a
 * hard link, so nobody ever reads a half-written lock. A lock whose holder
 * died (same host, pid gone) or that is older than `staleMs` is broken.
 */
export class FileLock {
  readonly path: string
  readonly opts: LockOptions

  constructor (path: string, opts: Partial<LockOptions> = {}) {
    this.path = path
    this.opts = { ...DEFAULTS, ...opts }
  }

  /** Names of this lock's temporary files after the guarded file's name (see removeLeftovers); older ones had no owner tag. */
  static readonly LEFTOVERS = [/^\.lock\.(?:stale-)?(?:([0-9a-f]{8})-(\d+)-)?[0-9a-f]{16}$/]

  /**
   * Runs `fn` holding the lock. `fn` calls `assertHeld` just before it
   * commits, so a holder whose lock was broken as stale writes nothing.
   */
  async with<T> (fn: (assertHeld: () => Promise<void>) => Promise<T>): Promise<T> {
    const mine = await this.acquire()
    const assertHeld = async (): Promise<void> => {
      if ((await this.read())?.raw !== mine) {
        throw new InfinError('Unavailable', `the lock ${this.path} was taken over while this command held it ` +
          '(it was judged abandoned); nothing was written, please retry')
      }
    }
    try {
      return await fn(assertHeld)
    } finally {
      if ((await this.read())?.raw === mine) await unlink(this.path).catch(() => {})
    }
  }

  private async acquire (): Promise<string> {
    const nonce = randomBytes(8).toString('hex')
    const raw = JSON.stringify({ pid: process.pid, host: hostname(), nonce, at: new Date().toISOString() })
    const temp = `${this.path}.${ownerTag()}-${nonce}`
    await writeFile(temp, raw, { mode: 0o644 })
    const deadline = Date.now() + this.opts.waitMs
    try {
      for (;;) {
        try {
          await link(temp, this.path)
          return raw
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
        }
        const other = await this.read()
        if (other === undefined) continue
        if (this.isStale(other)) {
          await this.breakLock(other, nonce)
          continue
        }
        if (Date.now() > deadline) {
          const who = other.pid === undefined ? 'another process' : `process ${other.pid} on ${other.host ?? '?'}`
          throw new InfinError('Unavailable', `${this.path} is locked by ${who}; waited ${this.opts.waitMs} ms. ` +
            `If no infinstor command is running there, delete ${this.path}`)
        }
        await new Promise(resolve => setTimeout(resolve, 5 + Math.random() * 30))
      }
    } finally {
      await unlink(temp).catch(() => {})
    }
  }

  private async read (): Promise<Seen | undefined> {
    try {
      const [raw, st] = await Promise.all([readFile(this.path, 'utf8'), stat(this.path)])
      let holder: { pid?: unknown, host?: unknown } = {}
      try { holder = JSON.parse(raw) } catch { /* judged by age alone */ }
      return {
        raw,
        mtimeMs: st.mtimeMs,
        pid: typeof holder.pid === 'number' ? holder.pid : undefined,
        host: typeof holder.host === 'string' ? holder.host : undefined
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw e
    }
  }

  private isStale (seen: Seen): boolean {
    if (Date.now() - seen.mtimeMs > this.opts.staleMs) return true
    return seen.host === hostname() && seen.pid !== undefined && !alive(seen.pid)
  }

  /**
   * Moves the stale lock aside (atomic: of two breakers only one moves it).
   * If what was moved is not the lock judged stale, a new holder took the
   * lock in between: link it back.
   */
  private async breakLock (stale: Seen, nonce: string): Promise<void> {
    const aside = `${this.path}.stale-${ownerTag()}-${nonce}`
    try {
      await rename(this.path, aside)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return
      throw e
    }
    const moved = await readFile(aside, 'utf8').catch(() => undefined)
    if (moved !== stale.raw) await link(aside, this.path).catch(() => {})
    await unlink(aside).catch(() => {})
  }
}
