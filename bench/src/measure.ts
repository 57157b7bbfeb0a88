import type { Datasets } from './datasets.js'
import type { Network } from './network.js'
import { TimeoutError } from './proc.js'
import type { Profile } from './config.js'
import { sumCpu } from './threads.js'
import type { Direct } from './systems/direct.js'
import type { MountSystem, SystemContext } from './systems/types.js'
import { isMeasurement, type Measurement, type Metric, type SystemId } from './types.js'

/** Collects every figure of the run, one value per repetition. */
export class Recorder {
  readonly metrics: Metric[] = []
  private readonly gaveUp = new Map<string, string>()

  /**
   * `backendDown` tells why the S3 server is gone, if it is: then every
   * later figure would be a failure too, so the run stops instead.
   */
  constructor (private readonly log: (line: string) => void, private readonly backendDown: () => string | undefined = () => undefined) {}

  define (m: Omit<Metric, 'results'>): void {
    if (!this.metrics.some(x => x.id === m.id)) this.metrics.push({ ...m, results: {} })
  }

  private metric (id: string): Metric {
    const m = this.metrics.find(x => x.id === id)
    if (m === undefined) throw new Error(`metric ${id} is not defined`)
    return m
  }

  private measurement (id: string, sys: SystemId): Measurement {
    const m = this.metric(id)
    const o = m.results[sys]
    if (isMeasurement(o)) return o
    const fresh: Measurement = { values: [] }
    m.results[sys] = fresh
    return fresh
  }

  set (id: string, sys: SystemId, rep: number, value: number): void {
    const values = this.measurement(id, sys).values
    while (values.length <= rep) values.push(NaN)
    values[rep] = value
  }

  fail (id: string, sys: SystemId, rep: number, error: string): void {
    const m = this.measurement(id, sys)
    this.set(id, sys, rep, NaN)
    m.errors = [...(m.errors ?? []), `run ${rep + 1}: ${error}`]
  }

  note (id: string, sys: SystemId, note: string): void {
    this.measurement(id, sys).note = note
  }

  skip (id: string, sys: SystemId, reason: string): void {
    this.metric(id).results[sys] = { skipped: reason }
  }

  /**
   * Runs one repetition of one system; its figures land in `metrics`.
   * A failure is recorded against every metric it would have produced and
   * the benchmark goes on with the next system.
   */
  async attempt (label: string, metrics: string[], sys: SystemId, rep: number, fn: () => Promise<Record<string, number>>): Promise<void> {
    // After a time-out, later repetitions would only burn the same budget again.
    const gaveUp = this.gaveUp.get(`${label} ${sys}`)
    if (gaveUp !== undefined) {
      for (const id of metrics) this.fail(id, sys, rep, `not run: ${gaveUp}`)
      return
    }
    try {
      const figures = await fn()
      for (const [id, v] of Object.entries(figures)) this.set(id, sys, rep, v)
      this.log(`${label} #${rep + 1} ${sys}: ${Object.entries(figures).map(([k, v]) => `${k}=${v.toPrecision(4)}`).join(' ')}`)
    } catch (e) {
      const down = this.backendDown()
      if (down !== undefined) throw new Error(`the S3 server stopped during ${label} (${sys}): ${down}`)
      const msg = (e as Error).message.split('\n')[0]
      for (const id of metrics) this.fail(id, sys, rep, msg)
      this.log(`${label} #${rep + 1} ${sys}: FAILED ${msg}`)
      if (e instanceof TimeoutError) this.gaveUp.set(`${label} ${sys}`, `run ${rep + 1} timed out`)
    }
  }
}

/** What every scenario works with. */
export interface Bench {
  profile: Profile
  data: Datasets
  /** The mount systems that can run (skipped ones are left out). */
  mounts: MountSystem[]
  direct?: Direct
  rec: Recorder
  /** Where daemons the scenarios start themselves (the S3 gateway) keep their state. */
  ctx: SystemContext
  /** Switches the S3 server's network profile (read scenarios run under each). */
  network: (n: Network) => Promise<void>
  /** Bytes the S3 server has sent so far; undefined when it does not count them (stock moto). */
  s3Sent?: () => Promise<number>
}

export const MiB = 1 << 20
export const GiB = 1 << 30

/** CPU-seconds (user + system, from /proc) the processes used while `fn` ran. */
export async function withCpu<T> (pids: number[], fn: () => Promise<T>): Promise<{ value: T, cpu: number }> {
  const before = sumCpu(pids)
  const value = await fn()
  const after = sumCpu(pids)
  return { value, cpu: after.user + after.system - before.user - before.system }
}

export function perGiB (cpu: number, bytes: number): number {
  return cpu / (bytes / GiB)
}

/**
 * A read metric's id, title and label under a network profile: loopback
 * keeps the plain ones, so reports and goals from before still line up.
 */
export function onNetwork (net: Network, m: { id: string, scenario: string, label: string, title: string }): { id: string, scenario: string, label: string, title: string } {
  if (net.id === 'loopback') return m
  return { id: `${m.id}@${net.id}`, scenario: `${m.scenario}, ${net.name}`, label: `${m.label} (${net.id === 's3' ? 'S3-like' : net.id})`, title: m.title }
}

export function mibPerSecond (bytes: number, seconds: number): number {
  return bytes / MiB / seconds
}

export function expectCount (what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`wrong result: ${what}: ${got}, expected ${want}`)
}
