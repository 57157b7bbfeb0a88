import { InfinError } from '../core/errors.js'
import type { Version } from '../core/versions.js'
import { cachedFile } from './files.js'
import { SharedAttempts } from './first-attempt.js'
import type { RangeFetch, ReadHandle, Reader } from './types.js'

/** The stretches of a file the read deadline is counted for (the kernel reads 128 KiB at a time). */
const UNIT = 128 * 1024

/**
 * The no-cache reader: every read is one ranged GET, with a deadline so a
 * stuck request fails instead of outliving the FUSE operation. Used with
 * `--cache-size 0`, and whenever no block cache is wired in. Slow for big
 * sequential reads (the kernel asks for 128 KiB at a time), but it holds no
 * memory beyond the bytes in flight.
 */
export class DirectReader implements Reader {
  private readonly fetch: RangeFetch
  private readonly deadlineMs: number
  private readonly attempts: SharedAttempts

  constructor (fetch: RangeFetch, opts: { deadlineMs: number }) {
    this.fetch = fetch
    this.deadlineMs = opts.deadlineMs
    this.attempts = new SharedAttempts(opts.deadlineMs)
  }

  open (bucket: string, version: Version): ReadHandle {
    const { id } = cachedFile(bucket, version)
    const attempts = this.attempts.take(id)
    let closed = false
    return {
      read: async (offset, length) => {
        const units: number[] = []
        for (let u = Math.floor(offset / UNIT); u * UNIT < offset + Math.max(1, length); u++) units.push(u)
        // Counted from the first attempt, so the kernel's retry of a read that just failed fails at once.
        const left = attempts.timeLeft(units)
        const firstAttempt = Date.now() + left - this.deadlineMs
        if (left <= 0) {
          attempts.timedOut(firstAttempt)
          throw new InfinError('Unavailable', `read at ${offset} of s3://${bucket}/${version.key} took longer than ` +
            `${this.deadlineMs} ms (counted from the first attempt)`)
        }
        const deadline = AbortSignal.timeout(left)
        try {
          const bytes = await this.fetch(bucket, version, offset, offset + length, deadline)
          attempts.arrived(units)
          return bytes
        } catch (e) {
          if (deadline.aborted) attempts.timedOut(firstAttempt)
          throw e
        }
      },
      close: () => {
        if (closed) return
        closed = true
        this.attempts.release(id)
      }
    }
  }
}
