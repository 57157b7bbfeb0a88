/** Bytes per request: large enough to stream fast, small enough to bound memory and each request's time. */
export const CHUNK = 8 * 1024 * 1024

/**
 * Reads [start, end) in pieces of `chunk` bytes through `read`, keeping the
 * next piece in flight while the caller consumes the current one. The one
 * loop behind `cat`, `cp`, downloads and the contents API.
 */
export async function * readChunks (read: (start: number, end: number) => Promise<Buffer>,
  start: number, end: number, chunk = CHUNK): AsyncGenerator<Buffer> {
  const fetch = (at: number): Promise<Buffer> => {
    const p = read(at, Math.min(end, at + chunk))
    // Awaited on the next turn; until then a failure must not count as unhandled.
    p.catch(() => {})
    return p
  }
  let next = start < end ? fetch(start) : undefined
  for (let at = start; next !== undefined; at += chunk) {
    const current = await next
    next = at + chunk < end ? fetch(at + chunk) : undefined
    yield current
  }
}
