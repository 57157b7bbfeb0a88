/**
 * Many deadlines on one timer. Every FUSE operation, every read that waits
 * for its blocks and every paused stream needs something done by a
 * deadline, and nearly all of them finish long before it. A Node timer for
 * each (armed, then cleared: thousands per second in a sequential read)
 * costs the timers' bookkeeping, and V8's compiles of it during a fresh
 * daemon's first read (66 of 331 ms; bench/results/2026-12-02e). Here a
 * deadline is an entry in a set, and one timer stands for the earliest.
 *
 * The timer keeps the process alive only while some deadline is pending,
 * as the timers it replaces did, and never with `holdsProcess` false.
 */
export class Deadlines {
  private readonly pending = new Set<Deadline>()
  private timer: ReturnType<typeof setTimeout> | undefined
  /** When the armed timer fires; Infinity when none is armed. */
  private armedFor = Infinity

  constructor (private readonly holdsProcess = true) {}

  /**
   * Calls `expire` once the time `due()` gives has come, unless the returned
   * function is called first (calling it later does nothing). `due` may move
   * later from call to call (a read's deadline moves with S3's progress),
   * never earlier: it is asked again when the timer fires.
   */
  add (due: () => number, expire: () => void): () => void {
    const entry: Deadline = { due, expire }
    this.pending.add(entry)
    if (this.pending.size === 1 && this.holdsProcess) this.timer?.ref()
    this.arm(due())
    return () => {
      if (this.pending.delete(entry) && this.pending.size === 0) this.timer?.unref()
    }
  }

  /** Deadlines not yet expired or withdrawn. */
  get size (): number {
    return this.pending.size
  }

  private arm (at: number): void {
    if (at >= this.armedFor) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.armedFor = at
    this.timer = setTimeout(() => { this.fire() }, Math.max(0, at - Date.now()))
    if (this.pending.size === 0 || !this.holdsProcess) this.timer.unref()
  }

  private fire (): void {
    this.timer = undefined
    this.armedFor = Infinity
    const now = Date.now()
    const expired: Array<{ entry: Deadline, at: number }> = []
    let next = Infinity
    for (const entry of this.pending) {
      const at = entry.due()
      if (at <= now) expired.push({ entry, at })
      else next = Math.min(next, at)
    }
    for (const { entry } of expired) this.pending.delete(entry)
    // Armed before any expiry runs, so one that throws cannot strand the others.
    if (next !== Infinity) this.arm(next)
    // In order of their times, also when a late timer finds several due.
    expired.sort((a, b) => a.at - b.at)
    for (const { entry } of expired) entry.expire()
  }
}

interface Deadline {
  due: () => number
  expire: () => void
}
