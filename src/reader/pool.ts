/**
 * One block's memory, reused for block after block. `refs` counts who reads
 * it now (reads copying out of it, the disk cache writing it); `cached`
 * says the block cache holds it. Its memory goes to another block only when
 * neither is true.
 */
export class Block {
  readonly memory: Buffer
  /** Bytes of the version in it (the last block of a version is shorter). */
  length = 0
  refs = 0
  cached = false
  /** In the pool's free list. */
  free = false

  constructor (size: number) {
    this.memory = Buffer.allocUnsafeSlow(size)
  }

  /** The version's bytes in this block. */
  get bytes (): Buffer { return this.memory.subarray(0, this.length) }
}

export interface PoolStats {
  /** Blocks ever allocated: their memory stays with the pool. */
  allocated: number
  /** Blocks handed out again after their last use. */
  reused: number
  free: number
}

/**
 * Block memory that is used again rather than dropped. A fresh block costs
 * far more than copying into it: the kernel faults in its pages one by one
 * (on these machines about 3 ms per MiB, twice what receiving the bytes
 * costs), and V8 counts it as external memory, which starts full garbage
 * collections. A reused block costs neither.
 *
 * The pool never hands out a block that is cached or referenced; `poison`
 * (for tests) fills every released block with a marker, so a reader that
 * kept using one would read wrong bytes and fail its check.
 */
export class BlockPool {
  readonly stats: PoolStats = { allocated: 0, reused: 0, free: 0 }
  /** Free blocks by memory size: the last block of a version, or a small file, gets a block its own size. */
  private readonly spare = new Map<number, Block[]>()

  constructor (readonly blockSize: number, private readonly opts: { poison?: boolean } = {}) {}

  /** The memory a block of `length` bytes gets: a power of two from 4 KiB up to the block size. */
  sizeFor (length: number): number {
    let size = Math.min(4096, this.blockSize)
    while (size < length && size < this.blockSize) size *= 2
    return Math.min(size, this.blockSize)
  }

  /** A block to fill, referenced once (by its filler). */
  take (length: number): Block {
    const size = this.sizeFor(length)
    const spare = this.spare.get(size)
    let b = spare?.pop()
    if (b === undefined) {
      b = new Block(size)
      this.stats.allocated++
    } else {
      if (b.refs !== 0 || b.cached) throw new Error(`block pool: a block in use was about to be reused (refs ${b.refs}, cached ${String(b.cached)})`)
      b.free = false
      this.stats.reused++
      this.stats.free--
    }
    b.length = length
    b.refs = 1
    return b
  }

  pin (b: Block): void {
    if (b.free) throw new Error('block pool: a free block was pinned')
    b.refs++
  }

  /** Drops one reference; the block is free once nothing holds it. */
  unpin (b: Block): void {
    if (b.refs <= 0) throw new Error('block pool: a block was unpinned more often than pinned')
    b.refs--
    this.release(b)
  }

  /** The cache no longer holds it. */
  uncache (b: Block): void {
    b.cached = false
    this.release(b)
  }

  private release (b: Block): void {
    if (b.refs > 0 || b.cached || b.free) return
    if (this.opts.poison === true) b.memory.fill(0xdb)
    b.free = true
    const spare = this.spare.get(b.memory.length)
    if (spare === undefined) this.spare.set(b.memory.length, [b])
    else spare.push(b)
    this.stats.free++
  }
}
