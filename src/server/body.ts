import type { IncomingMessage } from 'node:http'
import { InfinError } from '../core/errors.js'

/** Request bodies are small JSON documents (a label is a few KB): anything bigger is refused. */
export const MAX_BODY_BYTES = 64 * 1024

function tooLarge (limit: number): InfinError {
  return new InfinError('TooLarge', `the request body is larger than ${limit} bytes; this API only takes small JSON documents`)
}

/**
 * Reads a request body of at most `limit` bytes. A declared Content-Length
 * over the limit is refused before a byte is read; a body that turns out
 * longer (chunked) is refused as soon as it passes the limit, and the rest
 * is never read: the caller must then close the connection.
 */
export async function readBody (req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) throw tooLarge(limit)
  return await new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) {
        stop()
        req.pause()
        reject(tooLarge(limit))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => { stop(); resolve(Buffer.concat(chunks)) }
    const onError = (e: Error): void => { stop(); reject(e) }
    const stop = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}

/**
 * A JSON object from a request body: anything else (null, a list, a
 * number) is a usage error, which shows `shape` (what to send) when given.
 */
export function parseJsonObject (text: string, shape?: string): Record<string, unknown> {
  const expected = `the request body must be a JSON object${shape === undefined ? '' : `: send ${shape}`}`
  let value: unknown
  try {
    value = text === '' ? {} : JSON.parse(text)
  } catch {
    throw new InfinError('Usage', `the request body is not valid JSON; ${expected}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InfinError('Usage', expected)
  return value as Record<string, unknown>
}
