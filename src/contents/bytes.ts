import { Readable } from 'node:stream'
import { InfinError } from '../core/errors.js'
import type { TreeSource } from './source.js'

/** Bytes per read: big enough to stream fast, small enough to bound memory and each request's time. */
export const CHUNK = 8 * 1024 * 1024

function short (path: readonly string[], got: number, offset: number): InfinError {
  return new InfinError('Unavailable', `S3 returned ${got} bytes at offset ${offset} of ${path.join('/')}, expected more`)
}

/** A whole file of known size in memory: only for files under the contents limit. */
export async function readAll (tree: TreeSource, path: readonly string[], size: number, chunk = CHUNK): Promise<Buffer> {
  const file = await tree.open(path)
  try {
    const out = Buffer.alloc(size)
    for (let offset = 0; offset < size; offset += chunk) {
      const part = await file.read(offset, Math.min(chunk, size - offset))
      if (part.length !== Math.min(chunk, size - offset)) throw short(path, part.length, offset)
      part.copy(out, offset)
    }
    return out
  } finally {
    file.close()
  }
}

/**
 * A file as a byte stream, read one chunk ahead of the client: memory
 * stays at about two chunks per download however big the file is. The
 * file is opened on the first read, so a HEAD request costs nothing.
 */
export function fileStream (tree: TreeSource, path: readonly string[], size: number, chunk = CHUNK): Readable {
  let closeFile = (): void => {}
  async function * chunks (): AsyncGenerator<Buffer> {
    if (size === 0) return
    const file = await tree.open(path)
    closeFile = () => file.close()
    const fetch = (offset: number): Promise<Buffer> => {
      const p = file.read(offset, Math.min(chunk, size - offset))
      // Awaited later; until then a failure must not count as unhandled.
      p.catch(() => {})
      return p
    }
    let next = fetch(0)
    for (let offset = 0; offset < size; offset += chunk) {
      const part = await next
      if (part.length !== Math.min(chunk, size - offset)) throw short(path, part.length, offset)
      if (offset + chunk < size) next = fetch(offset + chunk)
      yield part
    }
  }
  const stream = Readable.from(chunks(), { objectMode: false })
  stream.once('close', () => closeFile())
  return stream
}
