import type { S3Access } from '../s3/access.js'
import type { SqsAccess } from '../s3/sqs.js'
import { endpointOf } from './endpoint.js'
import { EventWatcher, pause } from './events.js'
import type { IndexStore } from './open.js'
import { sweep, type SweepProgress, type SweepResult } from './sweep.js'

export interface KeeperOptions {
  buckets: readonly string[]
  /** Time between the end of one reconciliation sweep and the start of the next. */
  sweepIntervalMs: number
  settleMarginMs: number
  pageSize: number
  /** SQS queue with the buckets' S3 events; without it, sweeps alone keep the index. */
  queueUrl?: string
  onSweep?: (r: SweepResult) => void
  onProgress?: (p: SweepProgress) => void
  onError?: (what: string, e: unknown) => void
}

/** After a failed sweep (S3 or the index unreachable), the next try waits this long. */
const RETRY_MS = 60_000

/**
 * Keeps buckets' history in the index: reconciliation sweeps on a schedule
 * (the first one at once when a bucket was never swept, or a sweep was
 * interrupted), and, with a queue, live capture of S3 events in between.
 * Run by `infinstor index --watch`, and meant for the daemon as well.
 */
export class IndexKeeper {
  readonly watcher: EventWatcher | undefined

  constructor (private readonly s3: S3Access, private readonly index: IndexStore, sqs: SqsAccess | undefined,
    private readonly o: KeeperOptions) {
    this.watcher = sqs === undefined || o.queueUrl === undefined
      ? undefined
      : new EventWatcher(sqs, s3, index, {
        queueUrl: o.queueUrl,
        pageSize: o.pageSize,
        waitSeconds: 20,
        buckets: new Set(o.buckets),
        onError: e => o.onError?.('reading events', e)
      })
  }

  async run (signal: AbortSignal): Promise<void> {
    await Promise.all([this.sweeps(signal), this.watcher?.run(signal)])
  }

  /**
   * When `bucket` should next be swept (ms, local clock); now if it never
   * was, a sweep was cut short, or the index holds it from another endpoint.
   */
  async dueAt (bucket: string): Promise<number> {
    const state = await this.index.bucket(bucket)
    if (state?.watermark === undefined || state.sweep !== undefined || state.lastSweep === undefined) return 0
    if (state.endpoint !== endpointOf(this.s3)) return 0
    return state.lastSweep + this.o.sweepIntervalMs
  }

  private async sweeps (signal: AbortSignal): Promise<void> {
    const retryAt = new Map<string, number>()
    while (!signal.aborted) {
      let wake = Date.now() + this.o.sweepIntervalMs
      for (const bucket of this.o.buckets) {
        if (signal.aborted) return
        const due = Math.max(await this.dueAt(bucket), retryAt.get(bucket) ?? 0)
        if (due > Date.now()) {
          wake = Math.min(wake, due)
          continue
        }
        try {
          const r = await sweep(this.s3, this.index, bucket, {
            settleMarginMs: this.o.settleMarginMs, pageSize: this.o.pageSize, onProgress: this.o.onProgress, signal
          })
          retryAt.delete(bucket)
          this.o.onSweep?.(r)
          wake = Math.min(wake, Date.now() + this.o.sweepIntervalMs)
        } catch (e) {
          if (signal.aborted) return
          this.o.onError?.(`sweeping '${bucket}'`, e)
          retryAt.set(bucket, Date.now() + Math.min(RETRY_MS, this.o.sweepIntervalMs))
          wake = Math.min(wake, Date.now() + Math.min(RETRY_MS, this.o.sweepIntervalMs))
        }
      }
      await pause(Math.max(0, wake - Date.now()), signal)
    }
  }
}
