/**
 * When an open file's reads first waited for each part of it (a block, or a
 * stretch of bytes) that has not arrived, so that the read deadline counts
 * from the first attempt. The kernel retries a failed read at once (a
 * readahead that failed is read again page by page): without this, each
 * attempt waited the whole deadline again, and a stalled S3 gave EIO after
 * twice the deadline. An attempt long after a failure (an application
 * retrying later) starts a new wait.
 */
export class FirstAttempts {
  private readonly since = new Map<number, number>()

  constructor (private readonly deadlineMs: number) {}

  /** The time left to a read waiting now for `parts`: the earliest wait among them sets it; 0 or less means fail at once. */
  timeLeft (parts: Iterable<number>): number {
    const now = Date.now()
    let first = now
    for (const part of parts) {
      const s = this.since.get(part)
      // Within two deadlines: the same attempt (or the kernel's retry of it) is still going on.
      if (s !== undefined && now - s < 2 * this.deadlineMs) first = Math.min(first, s)
      else this.since.set(part, now)
    }
    return first + this.deadlineMs - now
  }

  /** The parts arrived: later waits for them start afresh. */
  arrived (parts: Iterable<number>): void {
    for (const part of parts) this.since.delete(part)
  }
}
