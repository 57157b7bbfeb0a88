import type { Network } from './network.js'
import type { Better } from './stats.js'

export type SystemId = 'infinstor' | 'infinstor-ix' | 'rclone' | 's3fs' | 'direct' | 'memfs'

/** Report order: ours first, then the peers it is compared with. */
export const SYSTEM_ORDER: readonly SystemId[] = ['infinstor', 'infinstor-ix', 'rclone', 's3fs', 'direct', 'memfs']

export interface SystemInfo {
  id: SystemId
  name: string
  /** Why it is in the comparison. */
  role: string
  version?: string
  /** Set when the system could not take part at all, with the reason. */
  skipped?: string
}

/** One system's figures for one metric: a value per repetition. */
export interface Measurement {
  /** One per repetition, in repetition order; NaN marks a failed repetition. */
  values: number[]
  /** What differs for this system (e.g. it reads the latest version instead). */
  note?: string
  /** Failures seen, one line each. */
  errors?: string[]
}

export type Outcome = Measurement | { skipped: string }

export interface Metric {
  id: string
  scenario: string
  /** A few words naming the metric on its own, for summary tables. */
  label: string
  title: string
  unit: string
  better: Better
  results: Partial<Record<SystemId, Outcome>>
}

export interface RunConfig {
  mode: 'full' | 'quick'
  repetitions: number
  heavyRepetitions: number
  /** The time one measured operation may take before it counts as failed. */
  budgetMs: number
  /** --cache-size given to the InfinStor mount, in bytes. */
  cacheBytes: number
  /** Whether the kernel's page cache could be dropped before cold runs. */
  dropCaches: boolean
  /** Whether moto ran with bench/moto-patch (ranged GETs without whole-object copies). */
  motoPatched: boolean
  /** The network profiles the read scenarios ran under (older reports: loopback only). */
  networks?: Network[]
  /** The sizes the scenarios and goals are stated in. */
  scale: { dirFiles: number, lsTimes: number, readers: number }
  datasets: Record<string, string>
}

export interface Machine {
  cpu: string
  cores: number
  memoryBytes: number
  kernel: string
  os: string
  node: string
  python: string
  /** 1-minute load averages at the start and the end: other work shares this machine. */
  load: { start: number, end: number }
}

export interface RunResults {
  startedAt: string
  seconds: number
  config: RunConfig
  machine: Machine
  systems: SystemInfo[]
  metrics: Metric[]
}

export function isMeasurement (o: Outcome | undefined): o is Measurement {
  return o !== undefined && 'values' in o
}
