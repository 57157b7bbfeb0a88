import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { InfinError } from '../core/errors.js'
import { errorBody } from './errors.js'
import { sameToken } from './token.js'

export interface Request {
  method: string
  url: URL
  /** The route pattern's capture groups, still percent-encoded. */
  params: string[]
  headers: IncomingMessage['headers']
  body: () => Promise<Buffer>
  json: () => Promise<unknown>
}

export type Reply =
  | { status?: number, headers?: Record<string, string>, json: unknown }
  | { status?: number, headers?: Record<string, string>, body: string | Buffer, type: string }
  | { status?: number, headers?: Record<string, string>, stream: Readable, type: string, length?: number }

export type Handler = (req: Request) => Promise<Reply>

interface Route { method: string, pattern: RegExp, handler: Handler }

export class Router {
  private readonly routes: Route[] = []

  /** `method` '*' matches any method; patterns match the raw pathname. */
  add (method: string, pattern: RegExp, handler: Handler): this {
    this.routes.push({ method, pattern, handler })
    return this
  }

  get (pattern: RegExp, handler: Handler): this { return this.add('GET', pattern, handler) }

  match (method: string, path: string): { handler: Handler, params: string[] } | undefined {
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
}

export interface RunningServer {
  url: string
  port: number
  close: () => Promise<void>
}

const COOKIE = 'infinstor-token'
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i

/** The token a request carries: header, then ?token= (page loads), then cookie. */
function presentedToken (req: IncomingMessage, url: URL): { token?: string, fromQuery: boolean } {
  const auth = req.headers.authorization
  const m = auth === undefined ? null : /^(?:token|bearer)\s+(\S+)$/i.exec(auth)
  if (m !== null) return { token: m[1], fromQuery: false }
  const q = url.searchParams.get('token')
  if (q !== null) return { token: q, fromQuery: true }
  const cookie = (req.headers.cookie ?? '').split(/;\s*/).find(c => c.startsWith(COOKIE + '='))
  return { token: cookie?.slice(COOKIE.length + 1), fromQuery: false }
}

function send (res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  res.writeHead(status, { 'Content-Length': String(Buffer.byteLength(body)), ...headers })
  res.end(body)
}

function sendJson (res: ServerResponse, status: number, headers: Record<string, string>, value: unknown): void {
  send(res, status, { ...headers, 'Content-Type': 'application/json' }, JSON.stringify(value))
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
    const { token, fromQuery } = presentedToken(req, url)
    if (token === undefined || !sameToken(token, opts.token)) {
      sendJson(res, 401, cors, {
        message: 'missing or wrong token: send "Authorization: token <token>"; the token is in the server\'s token file (see infinstor serve --help)',
        reason: 'AccessDenied'
      })
      return
    }
    if (fromQuery) {
      cors['Set-Cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`
    }
    const route = router.match(method, url.pathname)
    if (route === undefined) {
      sendJson(res, 404, cors, { message: `no such endpoint: ${url.pathname}`, reason: 'NotFound' })
      return
    }
    let bodyCache: Promise<Buffer> | undefined
    const body = async (): Promise<Buffer> => {
      bodyCache ??= (async () => {
        const chunks: Buffer[] = []
        for await (const c of req) chunks.push(c as Buffer)
        return Buffer.concat(chunks)
      })()
      return await bodyCache
    }
    const request: Request = {
      method,
      url,
      params: route.params,
      headers: req.headers,
      body,
      json: async () => {
        const text = (await body()).toString('utf8')
        try {
          return text === '' ? {} : JSON.parse(text)
        } catch {
          throw new InfinError('Usage', 'the request body is not valid JSON')
        }
      }
    }
    let reply: Reply
    try {
      reply = await route.handler(request)
    } catch (e) {
      const { status, body } = errorBody(e)
      sendJson(res, status, cors, body)
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
