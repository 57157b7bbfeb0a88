import { Readable } from 'node:stream'
import { InfinError } from '../core/errors.js'
import type { TreeEntry, TreeSource } from './source.js'

export type FileEntry = Extract<TreeEntry, { kind: 'file' }>

/** Bytes per S3 request: big enough to stream fast, small enough to bound memory and each request's time. */
export const CHUNK = 8 * 1024 * 1024

/** A whole (size-checked) file in memory: only for files under the contents limit. */
export async function readAll (tree: TreeSource, file: FileEntry, chunk = CHUNK): Promise<Buffer> {
  const size = file.version.size
  const out = Buffer.alloc(size)
  for (let offset = 0; offset < size; offset += chunk) {
    const part = await tree.read(file, offset, Math.min(size, offset + chunk))
    if (part.length !== Math.min(chunk, size - offset)) {
      throw new InfinError('Unavailable', `S3 returned ${part.length} bytes at offset ${offset} of ${file.version.key}, expected more`)
    }
    part.copy(out, offset)
  }
  return out
}

/**
 * A file as a byte stream, fetched one chunk ahead of the reader: memory
 * stays at about two chunks per download however big the file is. A
 * client that goes away cancels the S3 request in flight.
 */
export function fileStream (tree: TreeSource, file: FileEntry, chunk = CHUNK): Readable {
  const size = file.version.size
  const abort = new AbortController()
  const fetch = (offset: number): Promise<Buffer> => {
    const p = tree.read(file, offset, Math.min(size, offset + chunk), abort.signal)
    // Awaited later; until then a failure must not count as unhandled.
    p.catch(() => {})
    return p
  }
  async function * chunks (): AsyncGenerator<Buffer> {
    if (size === 0) return
    let next = fetch(0)
    for (let offset = 0; offset < size; offset += chunk) {
      const part = await next
      if (offset + chunk < size) next = fetch(offset + chunk)
      yield part
    }
  }
  const stream = Readable.from(chunks(), { objectMode: false })
  stream.once('close', () => abort.abort())
  return stream
}
