import type { ServerResponse } from 'node:http'
import { InfinError, isInfinError } from '../core/errors.js'
import type { Version } from '../core/versions.js'
import type { Reader } from '../reader/types.js'

/** Bytes asked of the reader at once: a few cache blocks, so each reply holds little. */
const CHUNK = 1024 * 1024
/**
 * A read the reader gave up on (no bytes within its deadline, 8 s in the
 * daemon) is tried this many more times before the reply is cut: a busy
 * S3 gets a little longer than a FUSE read could wait, a stopped one does not.
 */
const RETRIES = 2

/**
 * Sends bytes [start, end) of a version through the shared block cache
 * and readahead, one chunk at a time and only as fast as the client takes
 * them, so a reply holds about one chunk whatever the client's speed. The
 * first chunk is read before the headers go out (`ready`), so that an S3
 * failure up front is still an S3 error; a failure later cuts the
 * connection, which clients see as a short body. A client that goes away
 * closes the handle, which stops its readahead.
 */
export async function sendVersion (res: ServerResponse, reader: Reader, bucket: string, v: Version,
  start: number, end: number, ready: () => void): Promise<void> {
  const handle = reader.open(bucket, v)
  let gone = false
  const onClose = (): void => { gone = true }
  res.on('close', onClose)
  try {
    const next = async (at: number): Promise<Buffer> => {
      const length = Math.min(end, (Math.floor(at / CHUNK) + 1) * CHUNK) - at
      for (let attempt = 0; ; attempt++) {
        try {
          return await handle.read(at, length)
        } catch (e) {
          if (gone || attempt >= RETRIES || !isInfinError(e, 'Unavailable')) throw e
        }
      }
    }
    let at = start
    let chunk = at < end ? await next(at) : undefined
    ready()
    while (chunk !== undefined && !gone) {
      if (chunk.length === 0) throw new InfinError('Corrupt', `s3://${bucket}/${v.key} (version ${v.versionId}) ended at ${at} of ${end} bytes`)
      at += chunk.length
      // The next chunk is read while this one drains.
      const coming = at < end ? next(at) : undefined
      coming?.catch(() => {})
      if (!res.write(chunk) && !gone) await drained(res)
      chunk = coming === undefined ? undefined : await coming
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
