import { Readable } from 'node:stream'
import { InfinError } from '../core/errors.js'
import { readChunks } from '../engine/chunks.js'
import type { TreeFile } from '../tree/nodes.js'
import type { TimeTree } from '../tree/time-tree.js'

/**
 * Reads [start, end) of a file whose lookup said `size`. The last piece
 * asks for one byte more: in a live view the file may have been replaced
 * between lookup and read, and a different size must fail loudly rather
 * than give a model or a Content-Length that lies.
 */
function checkedRead (file: TreeFile, path: readonly string[], size: number) {
  return async (start: number, end: number): Promise<Buffer> => {
    const last = end === size
    const part = await file.read(start, end - start + (last ? 1 : 0))
    if (part.length !== end - start) {
      throw new InfinError('Conflict', `${path.join('/')} changed in S3 while it was being read (its size is no longer ${size}); try again`)
    }
    return part
  }
}

/** A whole file of known size in memory: only for files under the contents limit. */
export async function readAll (tree: TimeTree, path: readonly string[], size: number): Promise<Buffer> {
  const file = await tree.open(path)
  try {
    const out = Buffer.alloc(size)
    let at = 0
    for await (const part of readChunks(checkedRead(file, path, size), 0, size)) at += part.copy(out, at)
    return out
  } finally {
    file.close()
  }
}

/**
 * A file as a byte stream, read one piece ahead of the client: memory
 * stays at about two pieces per download however big the file is. The
 * file is opened on the first read, so a HEAD request costs nothing, and
 * closed however the stream ends (a client that leaves included).
 */
export function fileStream (tree: TimeTree, path: readonly string[], size: number): Readable {
  async function * pieces (): AsyncGenerator<Buffer> {
    if (size === 0) return
    const file = await tree.open(path)
    try {
      yield * readChunks(checkedRead(file, path, size), 0, size)
    } finally {
      file.close()
    }
  }
  return Readable.from(pieces(), { objectMode: false })
}
