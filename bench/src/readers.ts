import { createHash } from 'node:crypto'
import { PROBE } from './paths.js'
import { check, lastLine } from './proc.js'

// Every read of a mount happens in one of these child processes. Each is
// given a time budget (ms): a system too slow to finish is killed and
// reported as such, rather than holding up the run for hours.

export interface Timed { seconds: number, bytes: number }

/** `dd` of a whole file in 1 MiB blocks; bytes from dd's own summary. */
export async function ddRead (path: string, budget: number): Promise<Timed> {
  const r = await check('dd', [`if=${path}`, 'of=/dev/null', 'bs=1M'], { timeoutMs: budget })
  const m = /^(\d+) bytes/m.exec(r.stderr)
  if (m === null) throw new Error(`dd said: ${lastLine(r.stderr)}`)
  return { seconds: r.seconds, bytes: Number(m[1]) }
}

async function probe<T> (job: object, budget: number): Promise<T> {
  const r = await check('python3', [PROBE], { input: JSON.stringify(job), timeoutMs: budget })
  return JSON.parse(r.stdout) as T
}

export async function randomReads (path: string, offsets: number[], size: number, budget: number): Promise<Timed> {
  return await probe<Timed>({ op: 'pread', path, offsets, size }, budget)
}

export async function readFiles (paths: string[], budget: number): Promise<Timed> {
  return await probe<Timed>({ op: 'files', paths }, budget)
}

export async function sampleHashes (path: string, ranges: Array<[number, number]>, budget: number): Promise<string[]> {
  return (await probe<{ hashes: string[] }>({ op: 'sample', path, ranges }, budget)).hashes
}

export function sha256 (b: Buffer): string {
  return createHash('sha256').update(b).digest('hex')
}

/** `ls -l` of a directory; returns its entry count (the "total" line excluded). */
export async function lsLong (dir: string, budget: number): Promise<{ seconds: number, entries: number }> {
  const r = await check('ls', ['-l', '--color=never', dir], { keepStdout: false, timeoutMs: budget })
  return { seconds: r.seconds, entries: Number(r.stdout) - 1 }
}

/** `find` with a stat of every entry (size and mtime); returns entries seen. */
export async function findStat (dir: string, budget: number): Promise<{ seconds: number, entries: number }> {
  const r = await check('find', [dir, '-printf', '%s %T@\\n'], { keepStdout: false, timeoutMs: budget })
  return { seconds: r.seconds, entries: Number(r.stdout) }
}

/** Deterministic offsets, so every system reads the same places. */
export function randomOffsets (count: number, fileSize: number, readSize: number, seed = 42): number[] {
  let s = seed >>> 0
  const next = (): number => {
    // mulberry32
    s = (s + 0x6D2B79F5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const blocks = Math.floor((fileSize - readSize) / 4096)
  return Array.from({ length: count }, () => Math.floor(next() * (blocks + 1)) * 4096)
}
