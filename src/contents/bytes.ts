import { Readable } from 'node:stream'
import { InfinError } from '../core/errors.js'
import type { OpenFile, TreeSource } from './source.js'

/** Bytes per read: big enough to stream fast, small enough to bound memory and each request's time. */
const CHUNK = 8 * 1024 * 1024

/**
 * Reads the chunk at `offset` of a file whose lookup said `size`. The
 * last chunk asks for one byte more: in a live view the file may have been
 * replaced between lookup and read, and a different size must fail loudly
 * rather than give a model or a Content-Length that lies.
 */
async function readPart (file: OpenFile, path: readonly string[], offset: number, size: number): Promise<Buffer> {
  const length = Math.min(CHUNK, size - offset)
  const last = offset + length === size
  const part = await file.read(offset, last ? length + 1 : length)
  if (part.length !== length) {
    throw new InfinError('Conflict', `${path.join('/')} changed in S3 while it was being read (its size is no longer ${size}); try again`)
  }
  return part
}

/** A whole file of known size in memory: only for files under the contents limit. */
export async function readAll (tree: TreeSource, path: readonly string[], size: number): Promise<Buffer> {
  const file = await tree.open(path)
  try {
    const out = Buffer.alloc(size)
    for (let offset = 0; offset < size; offset += CHUNK) {
      const part = await readPart(file, path, offset, size)
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
 * file is opened on the first read, so a HEAD request costs nothing, and
 * closed however the stream ends (a client that leaves included).
 */
export function fileStream (tree: TreeSource, path: readonly string[], size: number): Readable {
  async function * chunks (): AsyncGenerator<Buffer> {
    if (size === 0) return
    const file = await tree.open(path)
    try {
      const fetch = (offset: number): Promise<Buffer> => {
        const p = readPart(file, path, offset, size)
        // Awaited later; until then a failure must not count as unhandled.
        p.catch(() => {})
        return p
      }
      let next = fetch(0)
      for (let offset = 0; offset < size; offset += CHUNK) {
        const part = await next
        if (offset + CHUNK < size) next = fetch(offset + CHUNK)
        yield part
      }
    } finally {
      file.close()
    }
  }
  return Readable.from(chunks(), { objectMode: false })
}
