import type { ServerResponse } from 'node:http'
import { InfinError } from '../core/errors.js'
import type { Version } from '../core/versions.js'
import type { Reader } from '../reader/types.js'

/** Bytes asked of the reader at once: a few cache blocks, so each reply holds little. */
const CHUNK = 1024 * 1024

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
    const next = (at: number): Promise<Buffer> => handle.read(at, Math.min(end, (Math.floor(at / CHUNK) + 1) * CHUNK) - at)
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
