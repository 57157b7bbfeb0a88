import type { Network } from './network.js'
import type { RunConfig } from './types.js'

/** Sizes and repetitions of one benchmark mode. */
export interface Profile {
  mode: 'full' | 'quick'
  repetitions: number
  /**
   * For the random reads and the parallel readers: on moto every ranged GET
   * copies the whole object, so these are the slowest scenarios by far.
   */
  heavyRepetitions: number
  bigBytes: number
  bigVersions: number
  dirFiles: number
  /** Past times `ls -l` visits after the first, cold one. */
  lsTimes: number
  /** The 20k tree: top dirs × subdirs × files. */
  tree: [number, number, number]
  smallFiles: number
  smallBytes: number
  randomReads: number
  randomReadBytes: number
  readers: number
  cacheBytes: number
  /** The longest one measured operation may take before it counts as failed. */
  budgetMs: number
}

const MiB = 1 << 20

export const FULL: Profile = {
  mode: 'full',
  repetitions: 5,
  heavyRepetitions: 3,
  bigBytes: 256 * MiB,
  bigVersions: 3,
  dirFiles: 1000,
  lsTimes: 10,
  tree: [20, 10, 100],
  smallFiles: 2000,
  smallBytes: 16 * 1024,
  randomReads: 1000,
  randomReadBytes: 64 * 1024,
  readers: 16,
  // Holds one version of the big file but not all three, so the parallel
  // readers run the cache at its bound.
  cacheBytes: 512 * MiB,
  budgetMs: 300_000
}

/** Tiny datasets that exercise every code path in well under two minutes. */
export const QUICK: Profile = {
  mode: 'quick',
  repetitions: 2,
  heavyRepetitions: 1,
  bigBytes: 8 * MiB,
  bigVersions: 3,
  dirFiles: 40,
  lsTimes: 3,
  tree: [2, 3, 20],
  smallFiles: 60,
  smallBytes: 16 * 1024,
  randomReads: 100,
  randomReadBytes: 64 * 1024,
  readers: 4,
  cacheBytes: 16 * MiB,
  budgetMs: 60_000
}

export function describeDatasets (p: Profile): RunConfig['datasets'] {
  const [a, b, c] = p.tree
  return {
    big: `one ${p.bigBytes / MiB} MiB file (random bytes), ${p.bigVersions} versions written 1 s apart; scenarios read the first (oldest) version`,
    folder: `${p.dirFiles} files × 5 versions over ${Math.max(p.lsTimes + 1, 5) + 1} one-second steps, ${Math.ceil(p.dirFiles / 10)} of them deleted at some step (some re-created later)`,
    tree: `${a * b * c} objects in ${a}×${b} directories, then 5% overwritten and 2.5% deleted; read as of before those changes`,
    small: `${p.smallFiles} files of ${p.smallBytes / 1024} KiB, then 10% overwritten; read as of before that`
  }
}

export function runConfig (p: Profile, dropCaches: boolean, motoPatched: boolean, networks: Network[]): RunConfig {
  return {
    dropCaches,
    motoPatched,
    networks,
    mode: p.mode,
    repetitions: p.repetitions,
    heavyRepetitions: p.heavyRepetitions,
    cacheBytes: p.cacheBytes,
    budgetMs: p.budgetMs,
    scale: { dirFiles: p.dirFiles, lsTimes: p.lsTimes, readers: p.readers },
    datasets: describeDatasets(p)
  }
}
