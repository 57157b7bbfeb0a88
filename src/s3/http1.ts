/**
 * Where a GET's body goes: the socket reads straight into the memory the
 * sink offers, so bytes are copied once, by the kernel, into their block.
 */
export interface ByteSink {
  /** Memory for the next bytes; never empty while bytes are still owed. */
  space: () => Uint8Array
  /** The first `n` bytes of the last `space()` now hold body bytes. */
  filled: (n: number) => void
  /**
   * True when the sink wants no more bytes for now (a paced stream whose
   * reader is behind). A source that can wait stops reading (its socket
   * pauses, so TCP holds back the server) and calls `whenRoom`; one that
   * cannot ignores it: `space()` still gives room.
   */
  full?: () => boolean
  /** Calls `go` once the sink wants bytes again, or is given up (then `space()` throws). */
  whenRoom?: (go: () => void) => void
}

/** Copies `chunk` into a sink: for bytes that arrived elsewhere first. */
export function pour (sink: ByteSink, chunk: Uint8Array): void {
  for (let at = 0; at < chunk.length;) at = pourSome(sink, chunk, at)
}

/**
 * Copies `chunk` into a sink as a socket would fill it: before each piece
 * it waits while the sink is full, so a source of chunks is paced too.
 */
export async function pourPaced (sink: ByteSink, chunk: Uint8Array): Promise<void> {
  for (let at = 0; at < chunk.length;) {
    if (sink.full?.() === true && sink.whenRoom !== undefined) await new Promise<void>(resolve => { sink.whenRoom?.(resolve) })
    at = pourSome(sink, chunk, at)
  }
}

/** Copies what fits of `chunk` from `at` into the sink's next space; returns where it stopped. */
function pourSome (sink: ByteSink, chunk: Uint8Array, at: number): number {
  const space = sink.space()
  if (space.length === 0) throw new Error('the sink offered no memory for bytes still owed')
  const n = Math.min(space.length, chunk.length - at)
  space.set(chunk.subarray(at, at + n))
  sink.filled(n)
  return at + n
}

/** The parts of a signed request (the SDK's HttpRequest) a GET needs. */
export interface RequestParts {
  method: string
  protocol: string
  hostname: string
  port?: number
  path: string
  query?: Record<string, string | Array<string | null> | null>
  headers: Record<string, string>
}

export interface ResponseHead {
  status: number
  reason: string
  /** Names in lower case; repeated headers joined with ', '. */
  headers: Record<string, string>
  /** HTTP/1.1 without `Connection: close` (or 1.0 with keep-alive). */
  keepAlive: boolean
}

/** How a body ends (RFC 9112 section 6.3, for responses to GET). */
export type Framing = { kind: 'length', length: number } | { kind: 'chunked' } | { kind: 'close' }

/** RFC 3986 escaping, as the SDK signs query strings. */
function escape (s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function queryString (query: RequestParts['query']): string {
  const parts: string[] = []
  for (const key of Object.keys(query ?? {}).sort()) {
    const value = query?.[key]
    for (const v of Array.isArray(value) ? value : [value]) parts.push(v === null || v === undefined ? escape(key) : `${escape(key)}=${escape(v)}`)
  }
  return parts.length > 0 ? `?${parts.join('&')}` : ''
}

/** The request line and headers of a bodiless request. */
export function requestHead (r: RequestParts): string {
  const lines = [`${r.method} ${r.path}${queryString(r.query)} HTTP/1.1`]
  for (const [name, value] of Object.entries(r.headers)) {
    // Signed headers come from the SDK; a line break would split the request.
    if (/[\r\n]/.test(name + value)) throw new Error(`header ${name} holds a line break`)
    lines.push(`${name}: ${value}`)
  }
  return lines.join('\r\n') + '\r\n\r\n'
}

/** Parses a status line and headers (the bytes before the blank line). */
export function parseHead (text: string): ResponseHead {
  const lines = text.split('\r\n')
  const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0])
  if (m === null) throw new Error(`not an HTTP/1.x response: ${JSON.stringify(lines[0].slice(0, 80))}`)
  const headers: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    if (colon <= 0) throw new Error(`malformed response header: ${JSON.stringify(line.slice(0, 80))}`)
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  const connection = (headers.connection ?? '').toLowerCase()
  const keepAlive = m[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive')
  return { status: Number(m[2]), reason: m[3] ?? '', headers, keepAlive }
}

/** How the body of a response to a GET ends. */
export function framing (head: ResponseHead): Framing {
  if (head.status === 204 || head.status === 304 || head.status < 200) return { kind: 'length', length: 0 }
  const te = head.headers['transfer-encoding']
  if (te !== undefined && te.toLowerCase().split(',').map(s => s.trim()).at(-1) === 'chunked') return { kind: 'chunked' }
  const cl = head.headers['content-length']
  if (te === undefined && cl !== undefined) {
    if (!/^\d+$/.test(cl)) throw new Error(`bad Content-Length: ${cl.slice(0, 40)}`)
    return { kind: 'length', length: Number(cl) }
  }
  return { kind: 'close' }
}

/**
 * Decodes a chunked body fed in pieces, pouring the payload into a sink.
 * Trailers are read and dropped.
 */
export class Dechunker {
  private state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size'
  private line = ''
  private left = 0

  constructor (private readonly sink: ByteSink) {}

  get done (): boolean { return this.state === 'done' }

  /** Takes the next bytes; returns how many were used (the rest follow the body). */
  feed (bytes: Uint8Array): number {
    let at = 0
    while (at < bytes.length && this.state !== 'done') {
      if (this.state === 'data') {
        const n = Math.min(this.left, bytes.length - at)
        pour(this.sink, bytes.subarray(at, at + n))
        at += n
        this.left -= n
        if (this.left === 0) this.state = 'data-end'
        continue
      }
      const lf = bytes.indexOf(10, at)
      const end = lf === -1 ? bytes.length : lf + 1
      this.line += Buffer.from(bytes.subarray(at, end)).toString('latin1')
      at = end
      if (this.line.length > 4096) throw new Error('chunked body: a size or trailer line is too long')
      if (lf === -1) continue
      const line = this.line.replace(/\r?\n$/, '')
      this.line = ''
      if (this.state === 'size') {
        const size = /^([0-9a-fA-F]+)/.exec(line)
        if (size === null) throw new Error(`chunked body: bad chunk size ${JSON.stringify(line.slice(0, 40))}`)
        this.left = parseInt(size[1], 16)
        this.state = this.left === 0 ? 'trailer' : 'data'
      } else if (this.state === 'data-end') {
        if (line !== '') throw new Error('chunked body: a chunk runs past its size')
        this.state = 'size'
      } else if (line === '') {
        this.state = 'done'
      }
    }
    return at
  }
}
