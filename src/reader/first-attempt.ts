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
  /** The last read that ran out of time: when it began waiting, and when it failed. */
  private stalled: { since: number, at: number } | undefined

  constructor (private readonly deadlineMs: number) {}

  /**
   * The time left to a read waiting now for `parts`: the earliest wait among
   * them sets it; 0 or less means fail at once. After a read ran out of time,
   * a read of parts not waited for yet counts from that read's start too,
   * while nothing arrived since (`lastProgress`: when S3 last delivered bytes,
   * if the caller knows): the kernel reads further ahead as soon as a
   * readahead fails, and a stalled S3 must give EIO once, not once per window.
   */
  timeLeft (parts: Iterable<number>, lastProgress = 0): number {
    const now = Date.now()
    let first = now
    for (const part of parts) {
      const s = this.since.get(part)
      // Within two deadlines: the same attempt (or the kernel's retry of it) is still going on.
      if (s !== undefined && now - s < 2 * this.deadlineMs) first = Math.min(first, s)
      else this.since.set(part, now)
    }
    const stalled = this.stalled
    if (stalled !== undefined && now - stalled.at < 2 * this.deadlineMs && lastProgress <= stalled.at) first = Math.min(first, stalled.since)
    return first + this.deadlineMs - now
  }

  /** A read that began waiting at `since` ran out of time. */
  timedOut (since: number): void {
    this.stalled = { since, at: Date.now() }
  }

  /** The parts arrived: later waits for them start afresh, and S3 is answering again. */
  arrived (parts: Iterable<number>): void {
    for (const part of parts) this.since.delete(part)
    this.stalled = undefined
  }
}

/** One FirstAttempts per file (by id) while any handle of it is open: the kernel reads ahead, and retries, through any of them. */
export class SharedAttempts {
  private readonly byFile = new Map<string, { attempts: FirstAttempts, open: number }>()

  constructor (private readonly deadlineMs: number) {}

  /** Files with an open handle: the reader shares its cache among them. */
  get files (): number { return this.byFile.size }

  take (id: string): FirstAttempts {
    const held = this.byFile.get(id) ?? { attempts: new FirstAttempts(this.deadlineMs), open: 0 }
    held.open++
    this.byFile.set(id, held)
    return held.attempts
  }

  release (id: string): void {
    const held = this.byFile.get(id)
    if (held !== undefined && --held.open === 0) this.byFile.delete(id)
  }
}
