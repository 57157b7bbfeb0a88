import type { ServerResponse } from 'node:http'
import { InfinError, isInfinError } from '../core/errors.js'
import type { Version } from '../core/versions.js'
import type { ReadHandle, Reader } from '../reader/types.js'

/**
 * Bytes asked of the reader at once: one cache block, on block boundaries,
 * so a read copies from one block.
 */
const CHUNK = 256 * 1024
/** Reads in flight per reply: the next ones are on their way while one drains, and a reply holds about 1 MiB. */
const AHEAD = 4
/**
 * A read the reader gave up on (no bytes within its deadline, 8 s in the
 * daemon) is tried this many more times before the reply is cut (about
 * 30 s in all): a busy S3 gets longer than a FUSE read could wait, and an
 * HTTP client's own read timeout (boto3: 60 s) is not reached.
 */
const RETRIES = 3
/** Spare chunk buffers kept for the next replies (16 MiB): enough for 16 replies at once without new memory. */
const SPARE = 64

/**
 * Chunk memory the gateway's replies reuse. A fresh buffer per chunk cost
 * more than the rest of a reply: the kernel faults its pages in one by one
 * (about 2 ms per MiB here, copying into it included) and V8 counts it as
 * external memory, which starts garbage collections. A buffer comes back
 * once the socket has taken its bytes (the write's callback).
 */
const spare: Buffer[] = []

function takeChunk (): Buffer {
  return spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK)
}

function giveChunk (b: Buffer): void {
  if (spare.length < SPARE) spare.push(b)
}

/** One read of the reply: its buffer, and how many bytes landed in it. */
interface Pending {
  buffer: Buffer
  filled: Promise<number>
}

/**
 * Sends bytes [start, end) of a version through the shared block cache
 * and readahead, a few blocks ahead and only as fast as the client takes
 * them, so a reply holds about a megabyte whatever the client's speed. The
 * first chunk is read before the headers go out (`ready`), so that an S3
 * failure up front is still an S3 error; a failure later cuts the
 * connection, which clients see as a short body. A client that goes away
 * closes the handle, which stops its readahead.
 */
export async function sendVersion (res: ServerResponse, reader: Reader, bucket: string, v: Version,
  start: number, end: number, ready: () => void): Promise<void> {
  // The client asked for [start, end): readahead and long GETs stop there (boto3 asks for 8 MiB parts at once).
  // A reply reads its range once, in order: blocks of a big version go back to the pool once sent.
  const handle = reader.open(bucket, v, { end, once: true })
  let gone = false
  const onClose = (): void => { gone = true }
  res.on('close', onClose)
  const read = async (target: Buffer, at: number): Promise<number> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const n = await readInto(handle, target, at)
        if (n !== target.length) throw new InfinError('Corrupt', `s3://${bucket}/${v.key} (version ${v.versionId}) ended at ${at + n} of ${end} bytes`)
        return n
      } catch (e) {
        if (gone || attempt >= RETRIES || !isInfinError(e, 'Unavailable')) throw e
      }
    }
  }
  const queue: Pending[] = []
  let next = start
  const fill = (): void => {
    while (queue.length < AHEAD && next < end) {
      const length = Math.min(end, (Math.floor(next / CHUNK) + 1) * CHUNK) - next
      const buffer = takeChunk()
      const filled = read(buffer.subarray(0, length), next)
      filled.catch(() => {})
      queue.push({ buffer, filled })
      next += length
    }
  }
  /** The next chunk, read; its buffer is the caller's to give back. */
  const shift = async (): Promise<{ buffer: Buffer, bytes: Buffer } | undefined> => {
    const p = queue.shift()
    if (p === undefined) return undefined
    try {
      return { buffer: p.buffer, bytes: p.buffer.subarray(0, await p.filled) }
    } catch (e) {
      giveChunk(p.buffer)
      throw e
    }
  }
  try {
    fill()
    let chunk = await shift()
    ready()
    while (chunk !== undefined && !gone) {
      fill()
      const { buffer } = chunk
      // The socket may hold the bytes until they are sent: the buffer is reused only after.
      if (!res.write(chunk.bytes, () => { giveChunk(buffer) }) && !gone) await drained(res)
      chunk = await shift()
    }
    if (chunk !== undefined) giveChunk(chunk.buffer)
    if (!gone) res.end()
  } catch (e) {
    if (!res.headersSent) throw e
    res.destroy(e as Error)
  } finally {
    res.off('close', onClose)
    handle.close()
    // Reads still under way write into their buffers: those come back once they are done.
    for (const p of queue.splice(0)) void p.filled.then(() => { giveChunk(p.buffer) }, () => { giveChunk(p.buffer) })
  }
}

/** The reader's copy into `target`, or a copy of what `read` returns for a reader without readInto. */
async function readInto (handle: ReadHandle, target: Buffer, at: number): Promise<number> {
  if (handle.readInto !== undefined) return await handle.readInto(target, at)
  const bytes = await handle.read(at, target.length)
  return bytes.copy(target)
}

/** Resolves once the reply can take more, or is closed. */
async function drained (res: ServerResponse): Promise<void> {
  await new Promise<void>(resolve => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}
