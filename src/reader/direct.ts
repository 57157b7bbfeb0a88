import { InfinError } from '../core/errors.js'
import type { Version } from '../core/versions.js'
import { FirstAttempts } from './first-attempt.js'
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
  /** Shared by the open handles of one version: the kernel reads ahead, and retries, through any of them. */
  private readonly attempts = new Map<string, { attempts: FirstAttempts, open: number }>()

  constructor (fetch: RangeFetch, opts: { deadlineMs: number }) {
    this.fetch = fetch
    this.deadlineMs = opts.deadlineMs
  }

  open (bucket: string, version: Version): ReadHandle {
    const id = `${bucket}\0${version.key}\0${version.versionId}\0${version.lastModified}`
    const held = this.attempts.get(id) ?? { attempts: new FirstAttempts(this.deadlineMs), open: 0 }
    held.open++
    this.attempts.set(id, held)
    const { attempts } = held
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
        if (--held.open === 0) this.attempts.delete(id)
      }
    }
  }
}
