import type { ServerResponse } from 'node:http'
import { InfinError, isInfinError } from '../core/errors.js'
import type { Version } from '../core/versions.js'
import type { Lent, ReadHandle, Reader } from '../reader/types.js'

/**
 * Bytes asked of the reader at once: one cache block, on block boundaries,
 * so a read is one block's memory, lent and written to the socket as is.
 */
const CHUNK = 256 * 1024
/** Reads in flight per reply: the next ones are on their way while the socket sends. */
const AHEAD = 4
/**
 * Bytes a reply leaves queued on its socket before it waits for a drain:
 * a process that gets the CPU in turns (a loaded machine) then sends
 * several blocks per turn rather than one.
 */
const QUEUED = 1024 * 1024
/**
 * A read the reader gave up on (no bytes within its deadline, 8 s in the
 * daemon) is tried this many more times before the reply is cut (about
 * 30 s in all): a busy S3 gets longer than a FUSE read could wait, and an
 * HTTP client's own read timeout (boto3: 60 s) is not reached.
 */
const RETRIES = 3
/**
 * Sends bytes [start, end) of a version through the shared block cache
 * and readahead, a few blocks ahead and only as fast as the client takes
 * them, so a reply holds about 2 MiB of blocks whatever the client's speed. The
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
  const read = async (at: number, length: number): Promise<Lent> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const lent = await lend(handle, at, length)
        const n = lent.views.reduce((sum, view) => sum + view.length, 0)
        if (n === length) return lent
        lent.release()
        throw new InfinError('Corrupt', `s3://${bucket}/${v.key} (version ${v.versionId}) ended at ${at + n} of ${end} bytes`)
      } catch (e) {
        if (gone || attempt >= RETRIES || !isInfinError(e, 'Unavailable')) throw e
      }
    }
  }
  const queue: Array<Promise<Lent>> = []
  let next = start
  const fill = (): void => {
    while (queue.length < AHEAD && next < end) {
      const length = Math.min(end, (Math.floor(next / CHUNK) + 1) * CHUNK) - next
      const p = read(next, length)
      p.catch(() => {})
      queue.push(p)
      next += length
    }
  }
  try {
    fill()
    let chunk = queue.length > 0 ? await queue.shift() : undefined
    ready()
    while (chunk !== undefined && !gone) {
      fill()
      send(res, chunk)
      if (res.writableLength >= QUEUED && !gone) await drained(res)
      chunk = queue.length > 0 ? await queue.shift() : undefined
    }
    chunk?.release()
    if (!gone) res.end()
  } catch (e) {
    if (!res.headersSent) throw e
    res.destroy(e as Error)
  } finally {
    res.off('close', onClose)
    handle.close()
    // Reads still under way hold their blocks once done: those go back unsent.
    for (const p of queue.splice(0)) void p.then(lent => { lent.release() }, () => {})
  }
}

/** A handle's cached bytes lent without a copy, or a copy of its own for a handle that cannot lend. */
async function lend (handle: ReadHandle, at: number, length: number): Promise<Lent> {
  if (handle.lend !== undefined) return await handle.lend(at, length)
  const bytes = await handle.read(at, length)
  return { views: [bytes], release: () => {} }
}

/**
 * Writes lent bytes; they go back once the socket has taken them (the
 * last write's callback), since until then it may still be sending from
 * that memory. A write a cut reply never calls back leaves its blocks
 * pinned: they are never reused, and the garbage collector takes them.
 */
function send (res: ServerResponse, lent: Lent): void {
  lent.views.forEach((view, n) => {
    if (n === lent.views.length - 1) res.write(view, () => { lent.release() })
    else res.write(view)
  })
  if (lent.views.length === 0) lent.release()
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
