import { InfinError } from '../core/errors.js'

/**
 * Cuts a version's bytes, arriving as chunks of any size, into blocks,
 * starting at block `next` and ending before block `end`.
 */
export class BlockCutter {
  private block: Buffer | undefined
  private filled = 0

  constructor (
    private readonly lengthOf: (i: number) => number,
    public next: number,
    private readonly end: number,
    private readonly tooMany: () => InfinError
  ) {}

  get complete (): boolean { return this.next >= this.end }

  /** The blocks `chunk` completes, in order, as [index, bytes]. */
  * cut (chunk: Uint8Array): Generator<[number, Buffer]> {
    for (let at = 0; at < chunk.length;) {
      if (this.next >= this.end) throw this.tooMany()
      const length = this.lengthOf(this.next)
      // Its own memory: a block must not pin a larger buffer the LRU does not count.
      this.block ??= Buffer.allocUnsafeSlow(length)
      const n = Math.min(length - this.filled, chunk.length - at)
      this.block.set(chunk.subarray(at, at + n), this.filled)
      this.filled += n
      at += n
      if (this.filled < length) continue
      const done = this.block
      this.block = undefined
      this.filled = 0
      yield [this.next++, done]
    }
  }
}

/**
 * The next chunk, or the error `late()` makes when none arrives within `ms`
 * (even from a source that ignores its abort signal).
 */
export async function nextWithin (it: AsyncIterator<Uint8Array>, ms: number, late: () => InfinError): Promise<IteratorResult<Uint8Array>> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(late()), ms)
  })
  try {
    return await Promise.race([it.next(), deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** Stops a source left early; not awaited, since a stalled one may never answer. */
export function abandon (it: AsyncIterator<Uint8Array>): void {
  Promise.resolve(it.return?.()).catch(() => {})
}
