import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Dataset } from '../datasets.js'
import { BIN } from '../paths.js'
import { check } from '../proc.js'
import { infinstorVersion, mountInfinstor } from './infinstor.js'
import { CREDENTIALS, type At, type Mounted, type MountSystem, type SystemContext } from './types.js'

/** The default `settle-margin-ms`: a sweep's watermark is its start less this. */
const SETTLE_MARGIN_MS = 5000

/** One `infinstor index BUCKET` run, as the CLI reports it. */
export interface Sweep {
  file: string
  versions: number
  /** The sweep's own time and rate, as it prints them (Node's start excluded). */
  seconds: number
  perSecond: number
  /** Wall time of the whole process, Node's start included. */
  wallSeconds: number
  watermark: number
}

/**
 * Sweeps a dataset's bucket into a fresh SQLite index with the CLI. It waits
 * first until the dataset's last step is older than the settle margin, so
 * the watermark covers every time the scenarios view.
 */
export async function sweepInto (ctx: SystemContext, ds: Dataset, file: string, budgetMs: number): Promise<Sweep> {
  const last = ds.times[ds.times.length - 1]
  const wait = last + SETTLE_MARGIN_MS + 1000 - Date.now()
  if (wait > 0) await sleep(wait)
  rmSync(file, { force: true })
  const r = await check(process.execPath, [BIN, 'index', ds.bucket, '--endpoint', ctx.endpoint, '--index', file],
    { env: { ...process.env, ...CREDENTIALS }, timeoutMs: budgetMs })
  const m = /: ([\d,]+) versions and delete markers listed in \d+ pages \(([\d.]+) s, ([\d,]+) versions\/s.*views up to (\S+) now/.exec(r.stdout)
  if (m === null) throw new Error(`unexpected output of infinstor index: ${r.stdout.trim()}`)
  const watermark = Date.parse(m[4])
  if (!(watermark >= last)) throw new Error(`the index of ${ds.bucket} covers times up to ${m[4]} only, not the dataset's last step`)
  const count = (s: string): number => Number(s.replace(/,/g, ''))
  return { file, versions: count(m[1]), seconds: Number(m[2]), perSecond: count(m[3]), wallSeconds: r.seconds, watermark }
}

export interface IndexedSystem extends MountSystem {
  /** The index of a dataset's bucket, swept on first use (not timed by the scenarios). */
  indexOf: (ds: Dataset) => Promise<Sweep>
  /** The sweeps made so far, by dataset name. */
  sweeps: Map<string, Sweep>
}

/**
 * The InfinStor mount reading a history index built beforehand with
 * `infinstor index` (issue #14): views at times up to the index's watermark
 * are lookups, with no version listing.
 */
export async function infinstorIndexed (ctx: SystemContext, budgetMs: number): Promise<IndexedSystem> {
  const dir = join(ctx.workDir, 'index')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const sweeps = new Map<string, Sweep>()
  const indexOf = async (ds: Dataset): Promise<Sweep> => {
    const done = sweeps.get(ds.name)
    if (done !== undefined) return done
    const s = await sweepInto(ctx, ds, join(dir, `${ds.name}.sqlite`), budgetMs)
    sweeps.set(ds.name, s)
    return s
  }
  return {
    info: { id: 'infinstor-ix', name: 'InfinStor mount + index', role: 'system under test, with the history index (SQLite) swept before mounting', version: await infinstorVersion() },
    travel: 'any',
    indexOf,
    sweeps,
    mount: async (ds: Dataset, _at: At[]): Promise<Mounted> => await mountInfinstor(ctx, 'infinstor-ix', ds, (await indexOf(ds)).file)
  }
}
