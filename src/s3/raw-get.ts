import net from 'node:net'
import { Readable } from 'node:stream'
import tls from 'node:tls'
import { Dechunker, framing, parseHead, pour, requestHead, type ByteSink, type Framing, type RequestParts, type ResponseHead } from './http1.js'

const KiB = 1024
/** Reads land here while no sink takes them: response heads, chunk framing, error bodies. */
const SCRATCH_BYTES = 16 * KiB
const MAX_HEAD_BYTES = 64 * KiB
/** An error body is read whole for the SDK to parse; more than this is no S3 error. */
const MAX_ERROR_BODY = 1024 * KiB
/** Idle keep-alive sockets close after this (S3 closes them after about 20 s). */
const IDLE_MS = 15_000
const MAX_IDLE_PER_ORIGIN = 64

/**
 * One scratch buffer for every connection: a read that lands in it is taken
 * out (copied or parsed) by its callback before any other read can land,
 * since libuv reads and calls back one socket at a time on this thread.
 */
const SCRATCH = Buffer.allocUnsafe(SCRATCH_BYTES)

/** Marks a failure before any byte of the response came: safe to retry on a fresh socket. */
const EARLY = Symbol('early')

function failure (message: string, name: string, code?: string): Error {
  return Object.assign(new Error(message), { name, ...(code !== undefined ? { code } : {}) })
}

/** Socket errors the SDK's retry counts as transient are reported as timeouts, as its own handler does. */
function socketError (e: Error & { code?: string }): Error {
  return ['ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(e.code ?? '') ? Object.assign(e, { name: 'TimeoutError' }) : e
}

interface Exchange {
  resolve: (head: ResponseHead) => void
  reject: (e: Error) => void
}

/**
 * One HTTP/1.1 connection that reads with `onread`: every read lands in
 * memory chosen now (a sink's block while a body streams, else a small
 * scratch buffer), so body bytes are never allocated or copied by Node.
 */
class Connection {
  readonly socket: net.Socket
  private readonly scratch = SCRATCH
  private target: Uint8Array = this.scratch
  /** Takes a read of `n` bytes into `buf` (the target when the read began, which may since have changed). */
  private onBytes: (n: number, buf: Uint8Array) => void = () => { this.fail(failure('S3 sent bytes nobody asked for', 'Error')) }
  private onEnd: () => void = () => { this.fail(failure('S3 closed the connection', 'TimeoutError', 'ECONNRESET')) }
  /** Who hears of a failure now; nobody while idle. */
  private onFail: ((e: Error) => void) | undefined
  /** Reads so far: the idle watch sees progress by this. */
  private reads = 0
  private timer: NodeJS.Timeout | undefined
  private head: Buffer[] = []
  private headBytes = 0
  /** Body bytes that arrived with the head, before anyone asked for them. */
  private early: Buffer | undefined
  private gotBytes = false
  /** Reading stopped because the sink is full: silence meanwhile is not S3's. */
  private paused = false
  closed = false
  uses = 0

  constructor (readonly origin: string, parts: RequestParts, timeoutMs: number) {
    const host = parts.hostname.replace(/^\[(.*)\]$/, '$1')
    const port = parts.port ?? (parts.protocol === 'https:' ? 443 : 80)
    // Node asks for the next read's memory after each read, so a new target
    // takes effect from the read after next: callbacks get the memory used.
    const onread: net.OnReadOpts = {
      buffer: () => this.target,
      callback: (n, buf) => { this.gotBytes = true; this.reads++; this.onBytes(n, buf); return true }
    }
    // TLS sockets take onread too (Node's types leave it out).
    this.socket = parts.protocol === 'https:'
      ? tls.connect({ host, port, servername: net.isIP(host) === 0 ? host : undefined, ALPNProtocols: ['http/1.1'], onread } as tls.ConnectionOptions)
      : net.connect({ host, port, onread })
    this.socket.setNoDelay(true)
    this.socket.on('error', e => { this.fail(socketError(e)) })
    this.socket.on('end', () => { this.onEnd() })
    this.socket.on('close', () => {
      clearTimeout(this.timer)
      if (this.onFail !== undefined) this.fail(failure('S3 closed the connection', 'TimeoutError', 'ECONNRESET'))
    })
  }

  /** Sends a request; resolves with the response head, the body still unread. */
  async send (parts: RequestParts, timeoutMs: number): Promise<ResponseHead> {
    this.uses++
    this.gotBytes = false
    this.socket.ref()
    this.watch(timeoutMs, () => {
      this.fail(failure(`S3 sent nothing for ${timeoutMs} ms`, 'TimeoutError', 'ETIMEDOUT'))
    })
    return await new Promise<ResponseHead>((resolve, reject) => {
      const ex: Exchange = { resolve, reject }
      this.onFail = e => { reject(this.gotBytes ? e : Object.assign(e, { [EARLY]: true })) }
      this.onEnd = () => { this.fail(failure('S3 closed the connection before answering', 'TimeoutError', 'ECONNRESET')) }
      this.readHead(ex)
      this.socket.resume()
      this.socket.write(requestHead(parts))
    })
  }

  private readHead (ex: Exchange): void {
    this.head = []
    this.headBytes = 0
    this.target = this.scratch
    this.onBytes = (n, buf) => {
      this.head.push(Buffer.from(buf.subarray(0, n)))
      this.headBytes += n
      const all = this.head.length === 1 ? this.head[0] : Buffer.concat(this.head)
      this.head = [all]
      const end = all.indexOf('\r\n\r\n')
      if (end === -1) {
        if (this.headBytes > MAX_HEAD_BYTES) this.fail(failure('S3 sent a response head over 64 KiB', 'Error'))
        return
      }
      let head: ResponseHead
      try {
        head = parseHead(all.subarray(0, end).toString('latin1'))
      } catch (e) {
        this.fail(e as Error)
        return
      }
      this.early = all.length > end + 4 ? all.subarray(end + 4) : undefined
      // An interim answer (100 Continue) precedes the real one.
      if (head.status >= 100 && head.status < 200) {
        const rest = this.early
        this.readHead(ex)
        if (rest !== undefined) this.onBytes(rest.length, rest)
        return
      }
      // Nothing more is read until someone takes the body.
      this.socket.pause()
      this.onBytes = () => { this.fail(failure('S3 sent bytes nobody asked for', 'Error')) }
      ex.resolve(head)
    }
  }

  /**
   * Streams the body into `sink`. Resolves once the body ended and the
   * connection is ready for another request (true) or must close (false).
   */
  async body (f: Framing, sink: ByteSink, keepAlive: boolean): Promise<boolean> {
    return await new Promise<boolean>((resolve, reject) => {
      this.onFail = reject
      const early = this.early
      this.early = undefined
      const done = (reusable: boolean): void => {
        this.target = this.scratch
        this.onBytes = () => { this.fail(failure('S3 sent bytes nobody asked for', 'Error')) }
        this.onEnd = () => { this.destroy() }
        this.onFail = undefined
        resolve(reusable && keepAlive)
      }
      try {
        if (f.kind === 'length') this.byLength(f.length, sink, early, done)
        else if (f.kind === 'chunked') this.byChunks(sink, early, done)
        else this.untilClose(sink, early, done)
      } catch (e) {
        this.fail(e as Error)
      }
    })
  }

  /** Bytes go straight into the sink, each read no longer than what is owed. */
  private byLength (length: number, sink: ByteSink, early: Buffer | undefined, done: (reusable: boolean) => void): void {
    let left = length
    if (early !== undefined) {
      // Bytes past the body belong to no request we sent.
      if (early.length > left) throw failure('S3 sent more bytes than its Content-Length', 'Error')
      pour(sink, early)
      left -= early.length
    }
    if (left === 0) { done(true); return }
    /** Points reads at the sink's memory; false when the sink is full and reading paused until it has room. */
    const aim = (): boolean => {
      if (sink.full?.() === true && sink.whenRoom !== undefined) {
        this.target = this.scratch
        this.paused = true
        this.socket.pause()
        sink.whenRoom(() => {
          this.paused = false
          if (this.closed) return
          try {
            if (aim()) this.socket.resume()
          } catch (e) {
            this.fail(e as Error)
          }
        })
        return false
      }
      const space = sink.space()
      this.target = space.length > left ? space.subarray(0, left) : space
      return true
    }
    const reading = aim()
    this.onBytes = (n, buf) => {
      if (buf === this.target) {
        sink.filled(n)
      } else {
        // The first read after a pause lands in the scratch buffer, which is not bounded by what is owed.
        // It may run past a paced sink's bound: pacing is advice, and the sink still gives room.
        if (n > left) { this.fail(failure('S3 sent more bytes than its Content-Length', 'Error')); return }
        pour(sink, buf.subarray(0, n))
      }
      left -= n
      if (left === 0) { done(true); return }
      aim()
    }
    this.onEnd = () => { this.fail(failure(`S3 closed the connection with ${left} bytes of the body unsent`, 'TimeoutError', 'ECONNRESET')) }
    if (reading) this.socket.resume()
  }

  private byChunks (sink: ByteSink, early: Buffer | undefined, done: (reusable: boolean) => void): void {
    const chunks = new Dechunker(sink)
    const take = (bytes: Uint8Array): void => {
      const used = chunks.feed(bytes)
      if (!chunks.done) return
      // Anything after the last chunk belongs to no request we sent.
      done(used === bytes.length)
    }
    this.onBytes = (n, buf) => { take(buf.subarray(0, n)) }
    this.onEnd = () => { this.fail(failure('S3 closed the connection inside a chunked body', 'TimeoutError', 'ECONNRESET')) }
    if (early !== undefined) take(early)
    if (!chunks.done) this.socket.resume()
  }

  private untilClose (sink: ByteSink, early: Buffer | undefined, done: (reusable: boolean) => void): void {
    if (early !== undefined) pour(sink, early)
    this.onBytes = (n, buf) => { pour(sink, buf.subarray(0, n)) }
    this.onEnd = () => { done(false) }
    this.socket.resume()
  }

  /** Parks an idle connection: data or silence beyond IDLE_MS closes it. */
  park (): void {
    this.watch(IDLE_MS, () => { this.destroy() })
    // An idle socket must not keep a finished command running.
    this.socket.unref()
    this.onFail = undefined
    this.onEnd = () => { this.destroy() }
    this.socket.resume()
  }

  fail (e: Error): void {
    const report = this.onFail
    this.onFail = undefined
    this.destroy()
    report?.(e)
  }

  /**
   * Calls `idle` once no bytes came for `ms` (checked every quarter of it).
   * socket.setTimeout would do, but re-arms a timer on every read.
   */
  private watch (ms: number, idle: () => void): void {
    clearTimeout(this.timer)
    let seen = this.reads
    let quiet = 0
    const step = Math.max(1, Math.floor(ms / 4))
    const check = (): void => {
      if (this.closed) return
      quiet = this.reads === seen && !this.paused ? quiet + step : 0
      seen = this.reads
      if (quiet >= ms) { idle(); return }
      this.timer = setTimeout(check, step).unref()
    }
    this.timer = setTimeout(check, step).unref()
  }

  destroy (): void {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.timer)
    // No read lands in a sink's memory once this returns.
    this.target = this.scratch
    this.socket.destroy()
  }
}

/**
 * The body of a GET the lean handler answered. `into` streams it straight
 * into a sink; read as an ordinary stream it works too, with a copy per read.
 */
export class RawBody extends Readable {
  private taken = false

  constructor (
    private readonly conn: Connection,
    private readonly framing: Framing,
    private readonly keepAlive: boolean,
    private readonly release: (conn: Connection, reusable: boolean) => void,
    private readonly detach: () => void
  ) {
    super()
  }

  /** Bytes in the body when its length is known. */
  get length (): number | undefined {
    return this.framing.kind === 'length' ? this.framing.length : undefined
  }

  async into (sink: ByteSink): Promise<void> {
    if (this.taken) throw new Error('the body was already taken')
    this.taken = true
    try {
      this.release(this.conn, await this.conn.body(this.framing, sink, this.keepAlive))
    } finally {
      this.detach()
    }
  }

  _read (): void {
    if (this.taken) return
    let chunk = Buffer.allocUnsafe(64 * KiB)
    const sink: ByteSink = {
      space: () => chunk,
      filled: n => {
        this.push(chunk.subarray(0, n))
        chunk = Buffer.allocUnsafe(64 * KiB)
      }
    }
    this.into(sink).then(() => this.push(null), e => this.destroy(e as Error))
  }

  _destroy (e: Error | null, cb: (e: Error | null) => void): void {
    // A body left unread holds its connection: nobody else can use it.
    if (!this.taken || !this.conn.closed) this.conn.destroy()
    this.detach()
    cb(e)
  }
}

export interface RawGetOptions {
  /** Connect and idle timeout, as the SDK's own handler applies them. */
  timeoutMs: number
  /** Handles everything but GETs (the SDK's Node handler, owned by another client). */
  fallback: { handle: (request: any, options?: any) => Promise<any> }
}

/**
 * An SDK request handler for object GETs. The SDK still resolves the
 * endpoint, signs, retries and parses errors; this only moves the bytes,
 * over keep-alive sockets that read each body straight into the caller's
 * memory (see RawBody.into). Anything but a GET goes to `fallback`.
 */
export class RawGetHandler {
  private readonly idle = new Map<string, Connection[]>()
  readonly metadata = { handlerProtocol: 'http/1.1' }

  constructor (private readonly opts: RawGetOptions) {}

  async handle (request: RequestParts & { body?: unknown }, options: { abortSignal?: AbortSignal } = {}): Promise<{ response: any }> {
    if (request.method !== 'GET' || (request.body !== undefined && request.body !== null)) return await this.opts.fallback.handle(request, options)
    const signal = options.abortSignal
    if (signal?.aborted === true) throw failure('Request aborted', 'AbortError')
    const origin = `${request.protocol}//${request.hostname}:${request.port ?? ''}`
    let conn = this.take(origin)
    for (;;) {
      conn ??= new Connection(origin, request, this.opts.timeoutMs)
      const c = conn
      const onAbort = (): void => { c.fail(failure('Request aborted', 'AbortError')) }
      signal?.addEventListener('abort', onAbort, { once: true })
      const detach = (): void => { signal?.removeEventListener('abort', onAbort) }
      try {
        const head = await c.send(request, this.opts.timeoutMs)
        return { response: await this.response(c, head, detach) }
      } catch (e) {
        detach()
        // A kept-alive socket the server closed meanwhile fails at once: try a fresh one.
        if ((e as Record<symbol, unknown>)[EARLY] === true && c.uses > 1 && (e as Error).name !== 'AbortError') {
          conn = undefined
          continue
        }
        throw e
      }
    }
  }

  private async response (conn: Connection, head: ResponseHead, detach: () => void): Promise<unknown> {
    const f = framing(head)
    const release = (c: Connection, reusable: boolean): void => { reusable ? this.put(c) : c.destroy() }
    if (head.status >= 200 && head.status < 300) {
      return { statusCode: head.status, reason: head.reason, headers: head.headers, body: new RawBody(conn, f, head.keepAlive, release, detach) }
    }
    // The SDK reads an error body whole to tell which error it is.
    const parts: Buffer[] = []
    let size = 0
    let chunk = Buffer.allocUnsafe(SCRATCH_BYTES)
    const collect: ByteSink = {
      space: () => chunk,
      filled: n => {
        size += n
        if (size > MAX_ERROR_BODY) throw failure(`S3 answered ${head.status} with a body over 1 MiB`, 'Error')
        parts.push(chunk.subarray(0, n))
        chunk = chunk.length - n > 0 ? chunk.subarray(n) : Buffer.allocUnsafe(SCRATCH_BYTES)
      }
    }
    try {
      release(conn, await conn.body(f, collect, head.keepAlive))
    } finally {
      detach()
    }
    return { statusCode: head.status, reason: head.reason, headers: head.headers, body: Readable.from([Buffer.concat(parts)]) }
  }

  private take (origin: string): Connection | undefined {
    const list = this.idle.get(origin)
    for (let c = list?.pop(); c !== undefined; c = list?.pop()) if (!c.closed) return c
    return undefined
  }

  private put (conn: Connection): void {
    const list = this.idle.get(conn.origin) ?? []
    if (list.length >= MAX_IDLE_PER_ORIGIN) { conn.destroy(); return }
    conn.park()
    conn.socket.once('close', () => {
      const i = list.indexOf(conn)
      if (i >= 0) list.splice(i, 1)
    })
    list.push(conn)
    this.idle.set(conn.origin, list)
  }

  updateHttpClientConfig (): void {}
  httpHandlerConfigs (): Record<string, never> { return {} }

  destroy (): void {
    for (const list of this.idle.values()) for (const c of list) c.destroy()
    this.idle.clear()
  }
}
