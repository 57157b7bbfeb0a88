import type { Version } from '../core/versions.js'
import type { RangeFetch, ReadHandle, Reader } from './types.js'

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

  constructor (fetch: RangeFetch, opts: { deadlineMs: number }) {
    this.fetch = fetch
    this.deadlineMs = opts.deadlineMs
  }

  open (bucket: string, version: Version): ReadHandle {
    return {
      read: async (offset, length) => await this.fetch(bucket, version, offset, offset + length, AbortSignal.timeout(this.deadlineMs)),
      close: () => {}
    }
  }
}
