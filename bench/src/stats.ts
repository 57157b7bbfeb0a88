/** Summary of repeated measurements: these machines are noisy, so medians lead. */
export interface Summary {
  median: number
  min: number
  max: number
  n: number
}

export function median (values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export function summarize (values: readonly number[]): Summary {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length }
}

export type Better = 'higher' | 'lower'

/**
 * How many times better `ours` is than `theirs` (above 1: ours wins),
 * whichever direction the metric counts in.
 */
export function speedup (ours: number, theirs: number, better: Better): number {
  return better === 'higher' ? ours / theirs : theirs / ours
}

/**
 * Ratios of paired runs: repetition i of ours against repetition i of
 * theirs, measured back to back, so slow phases of a noisy machine hit both
 * sides alike. Runs that failed on either side (NaN) are left out.
 */
export function pairedSpeedups (ours: readonly number[], theirs: readonly number[], better: Better): Summary | undefined {
  const ratios: number[] = []
  for (let i = 0; i < Math.min(ours.length, theirs.length); i++) {
    if (Number.isFinite(ours[i]) && Number.isFinite(theirs[i]) && ours[i] > 0 && theirs[i] > 0) {
      ratios.push(speedup(ours[i], theirs[i], better))
    }
  }
  return ratios.length === 0 ? undefined : summarize(ratios)
}
