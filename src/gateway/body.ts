import type { ServerResponse } from 'node:http'
import { InfinError, isInfinError } from '../core/errors.js'
import type { Version } from '../core/versions.js'
import type { Reader } from '../reader/types.js'

/**
 * Bytes asked of the reader at once: one cache block, on block boundaries,
 * so a read is a view of a cached block rather than a copy of several.
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
  const handle = reader.open(bucket, v, { end })
  let gone = false
  const onClose = (): void => { gone = true }
  res.on('close', onClose)
  const read = async (at: number, length: number): Promise<Buffer> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const chunk = await handle.read(at, length)
        if (chunk.length !== length) throw new InfinError('Corrupt', `s3://${bucket}/${v.key} (version ${v.versionId}) ended at ${at + chunk.length} of ${end} bytes`)
        return chunk
      } catch (e) {
        if (gone || attempt >= RETRIES || !isInfinError(e, 'Unavailable')) throw e
      }
    }
  }
  const queue: Array<Promise<Buffer>> = []
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
      if (!res.write(chunk) && !gone) await drained(res)
      chunk = queue.length > 0 ? await queue.shift() : undefined
    }
    if (!gone) res.end()
  } catch (e) {
    if (!res.headersSent) throw e
    res.destroy(e as Error)
  } finally {
    res.off('close', onClose)
    handle.close()
  }
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
