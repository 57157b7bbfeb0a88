import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { InfinError } from '../core/errors.js'
import { COOKIE, cookieMayDo, CROSS_SITE_REFUSED, presentedToken, validToken } from './auth.js'
import { MAX_BODY_BYTES, parseJsonObject, readBody } from './body.js'
import { errorBody } from './errors.js'

export interface Request {
  method: string
  url: URL
  /** The route pattern's capture groups, percent-decoded (once, here: routes never decode). */
  params: Array<string | undefined>
  /** The same, as sent: for paths that must be split at '/' before decoding. */
  rawParams: Array<string | undefined>
  headers: IncomingMessage['headers']
  /** The body, at most `maxBodyBytes` (TooLarge beyond). */
  body: () => Promise<Buffer>
  /** The body as a JSON object (Usage for anything else, showing `shape`: what to send). */
  json: (shape?: string) => Promise<Record<string, unknown>>
}

export type Reply =
  | { status?: number, headers?: Record<string, string>, json: unknown }
  | { status?: number, headers?: Record<string, string>, body: string | Buffer, type: string }
  | { status?: number, headers?: Record<string, string>, stream: Readable, type: string, length?: number }

export type Handler = (req: Request) => Promise<Reply>

interface Route { method: string, pattern: RegExp, handler: Handler }

/**
 * A path part decoded once, at the edge: bad percent-encoding and NUL (no
 * name anywhere holds one; file APIs choke on it) are the client's mistake.
 */
function decodePart (raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined
  let text: string
  try {
    text = decodeURIComponent(raw)
  } catch {
    throw new InfinError('Usage', `the path part '${raw}' is not valid percent-encoding`)
  }
  if (text.includes('\0')) throw new InfinError('Usage', `the path part '${raw}' holds a NUL character`)
  return text
}

export class Router {
  private readonly routes: Route[] = []
  private readonly signIns: Array<{ pattern: RegExp, handler: Handler }> = []

  /** `method` '*' matches any method; patterns match the raw pathname. */
  add (method: string, pattern: RegExp, handler: Handler): this {
    this.routes.push({ method, pattern, handler })
    return this
  }

  get (pattern: RegExp, handler: Handler): this { return this.add('GET', pattern, handler) }

  /**
   * Page loads (GET) under `pattern` without a valid token get this
   * handler's reply (with status 401) instead of a JSON error: a page that
   * says how to sign in. It must never show what was presented.
   */
  signIn (pattern: RegExp, handler: Handler): this {
    this.signIns.push({ pattern, handler })
    return this
  }

  signInFor (path: string): Handler | undefined {
    return this.signIns.find(s => s.pattern.test(path))?.handler
  }

  match (method: string, path: string): { handler: Handler, params: Array<string | undefined> } | undefined {
    let pathMatched = false
    for (const r of this.routes) {
      const m = r.pattern.exec(path)
      if (m === null) continue
      pathMatched = true
      if (r.method === '*' || r.method === method || (r.method === 'GET' && method === 'HEAD')) {
        return { handler: r.handler, params: m.slice(1) }
      }
    }
    if (pathMatched) {
      return { handler: async () => { throw new InfinError('Usage', `${method} is not supported here`) }, params: [] }
    }
    return undefined
  }
}

export interface ServerOptions {
  host: string
  port: number
  token: string
  /** Origins allowed to call cross-origin (e.g. a JupyterLab URL). */
  allowOrigins: string[]
  /** Largest request body accepted (default MAX_BODY_BYTES). */
  maxBodyBytes?: number
}

export interface RunningServer {
  url: string
  port: number
  close: () => Promise<void>
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i

function send (res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  res.writeHead(status, { 'Content-Length': String(Buffer.byteLength(body)), ...headers })
  res.end(body)
}

function sendJson (res: ServerResponse, status: number, headers: Record<string, string>, value: unknown): void {
  send(res, status, { ...headers, 'Content-Type': 'application/json' }, JSON.stringify(value))
}

/** How long the rest of an unread body is taken and dropped before the connection is closed. */
const LINGER_MS = 2000

/**
 * After a reply to a request whose body was left unread (refused, or cut
 * at the size limit): what still comes is dropped, not kept, for a moment,
 * so that the client reads the reply (closing at once would reset the
 * connection and lose it); then the connection is closed.
 */
function discardThenClose (req: IncomingMessage): void {
  const timer = setTimeout(() => req.socket.destroy(), LINGER_MS)
  req.once('end', () => clearTimeout(timer))
  req.resume()
}

/**
 * An HTTP server with token auth, CORS for configured origins only, and
 * domain errors turned into JSON replies.
 */
export async function listen (router: Router, opts: ServerOptions): Promise<RunningServer> {
  const loopbackOnly = LOOPBACK.test(opts.host) || opts.host === '::1'
  const server = createServer((req, res) => {
    void serve(req, res).catch(e => {
      if (!res.headersSent) sendJson(res, 500, {}, errorBody(e).body)
      else res.destroy()
    })
  })

  async function serve (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const method = req.method ?? 'GET'
    const origin = req.headers.origin
    const cors: Record<string, string> = {}
    if (origin !== undefined && opts.allowOrigins.includes(origin)) {
      Object.assign(cors, { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' })
    }
    // A page elsewhere could otherwise reach this server by renaming itself localhost.
    if (loopbackOnly && !LOOPBACK.test(req.headers.host ?? '')) {
      sendJson(res, 403, cors, { message: 'unexpected Host header', reason: 'AccessDenied' })
      return
    }
    if (method === 'OPTIONS') {
      send(res, 204, cors['Access-Control-Allow-Origin'] === undefined ? {} : {
        ...cors,
        'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-XSRFToken',
        'Access-Control-Max-Age': '600'
      }, '')
      return
    }
    const { token, source } = presentedToken(req, url)
    const authorized = validToken(token, opts.token)
    const pageLoad = method === 'GET' || method === 'HEAD'
    const signIn = authorized || !pageLoad ? undefined : router.signInFor(url.pathname)
    if (!authorized && signIn === undefined) {
      sendJson(res, 401, cors, {
        message: 'missing or wrong token: send "Authorization: token <token>"; the token is in the server\'s token file (see infinstor serve --help)',
        reason: 'AccessDenied'
      })
      return
    }
    if (authorized && source === 'cookie' && !cookieMayDo(req, method)) {
      sendJson(res, 403, cors, { message: CROSS_SITE_REFUSED, reason: 'AccessDenied' })
      return
    }
    if (authorized && source === 'query' && pageLoad) {
      cors['Set-Cookie'] = `${COOKIE}=${token as string}; HttpOnly; SameSite=Strict; Path=/`
    }
    const route = signIn === undefined ? router.match(method, url.pathname) : { handler: signIn, params: [], signIn: true }
    if (route === undefined) {
      sendJson(res, 404, cors, { message: `no such endpoint: ${url.pathname}`, reason: 'NotFound' })
      return
    }
    const limit = opts.maxBodyBytes ?? MAX_BODY_BYTES
    let bodyCache: Promise<Buffer> | undefined
    const body = async (): Promise<Buffer> => await (bodyCache ??= readBody(req, limit))
    let reply: Reply
    try {
      const request: Request = {
        method,
        url,
        params: route.params.map(decodePart),
        rawParams: route.params,
        headers: req.headers,
        body,
        json: async shape => parseJsonObject((await body()).toString('utf8'), shape)
      }
      reply = await route.handler(request)
      if ('signIn' in route) reply = { ...reply, status: 401, headers: { ...reply.headers, 'Cache-Control': 'no-store' } }
    } catch (e) {
      const { status, body } = errorBody(e)
      sendJson(res, status, cors, body)
      if (!req.complete) discardThenClose(req)
      return
    }
    const headers = { ...cors, ...reply.headers }
    const status = reply.status ?? 200
    if ('json' in reply) sendJson(res, status, headers, reply.json)
    else if ('body' in reply) send(res, status, { ...headers, 'Content-Type': reply.type }, method === 'HEAD' ? '' : reply.body)
    else {
      res.writeHead(status, {
        ...headers,
        'Content-Type': reply.type,
        ...(reply.length === undefined ? {} : { 'Content-Length': String(reply.length) })
      })
      if (method === 'HEAD') {
        reply.stream.destroy()
        res.end()
      } else {
        await pipeline(reply.stream, res)
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject)
      resolve()
    })
  }).catch((e: Error) => {
    throw new InfinError('Usage', `cannot listen on ${opts.host}:${opts.port}: ${e.message}`)
  })
  const port = (server.address() as { port: number }).port
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close').catch(() => {})
    }
  }
}
