import pLimit, { type LimitFunction } from 'p-limit'

/** A background GET: it waits until a slot is idle, unless promoted or cancelled first. */
export class Job {
  state: 'queued' | 'started' | 'cancelled' = 'queued'
  constructor (readonly run: () => Promise<void>) {}
}

/**
 * Bounds concurrent GETs with one global p-limit and serves them in two
 * lanes. Reads someone waits for go straight into the limit. Readahead waits
 * in its own queue and enters only while a slot would otherwise be idle, so
 * a read never queues behind megabytes of speculative fetches: each read has
 * a deadline (the reader's readTimeoutMs; the mount's is 8 s), queueing
 * included.
 */
export class Scheduler {
  private readonly limit: LimitFunction
  private readonly queue: Job[] = []
  /** Tasks handed to the limit and not finished (p-limit counts its own a tick later). */
  private busy = 0

  /**
   * Called when a GET has to wait for a slot: a task that holds one while
   * it idles (a paced stream waiting for its reader) should let it go.
   */
  onCrowded: () => void = () => {}

  constructor (readonly concurrency: number) {
    this.limit = pLimit(concurrency)
  }

  /** True while some GET waits for a slot. */
  get crowded (): boolean { return this.queue.length > 0 || this.busy > this.concurrency }

  /** Runs `task` as soon as a slot is free, ahead of any queued readahead. */
  async now (task: () => Promise<void>): Promise<void> {
    if (this.busy >= this.concurrency) this.onCrowded()
    this.busy++
    try {
      await this.limit(task)
    } finally {
      this.busy--
      this.pump()
    }
  }

  /**
   * Keeps readahead from taking a slot until `release` is called: a read
   * still looking for its blocks on disk will need one soon.
   */
  hold (): () => void {
    this.busy++
    let held = true
    return () => {
      if (!held) return
      held = false
      this.busy--
      this.pump()
    }
  }

  /** Queues readahead; it starts only when a slot is idle. */
  later (task: () => Promise<void>): Job {
    const job = new Job(task)
    this.queue.push(job)
    this.pump()
    if (job.state === 'queued') this.onCrowded()
    return job
  }

  /** Someone now waits for this job: it jumps the readahead queue. */
  promote (job: Job): void {
    if (job.state !== 'queued') return
    this.unqueue(job)
    this.start(job)
  }

  /** Drops a job that has not started; true when it was dropped. */
  cancel (job: Job): boolean {
    if (job.state !== 'queued') return false
    this.unqueue(job)
    job.state = 'cancelled'
    return true
  }

  get queued (): number { return this.queue.length }

  private start (job: Job): void {
    job.state = 'started'
    // The job settles its own blocks and never rejects; nothing to observe.
    void this.now(job.run)
  }

  private unqueue (job: Job): void {
    const i = this.queue.indexOf(job)
    if (i >= 0) this.queue.splice(i, 1)
  }

  private pump (): void {
    while (this.busy < this.concurrency && this.queue.length > 0) {
      this.start(this.queue.shift() as Job)
    }
  }
}
