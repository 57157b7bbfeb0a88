import { createServer, request, type IncomingMessage } from 'node:http'
import { once } from 'node:events'
import { connect } from 'node:net'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface Route {
  /** Path prefix, e.g. '/infinstor/'; it is stripped, as nginx does with `proxy_pass http://host/;`. */
  prefix: string
  port: number
  /** Rewrites Host to the upstream's own address (`proxy_set_header Host $proxy_host`). */
  upstreamHost?: boolean
}

/**
 * A minimal reverse proxy standing in for nginx in front of JupyterLab:
 * the first route whose prefix matches takes the request, websockets
 * included. Only for tests.
 */
export async function reverseProxy (t: Teardown, routes: Route[]): Promise<{ origin: string }> {
  const pick = (req: IncomingMessage): { route: Route, path: string, headers: IncomingMessage['headers'] } => {
    const url = req.url ?? '/'
    const route = routes.find(r => url.startsWith(r.prefix)) as Route
    const path = '/' + url.slice(route.prefix.length)
    const headers = { ...req.headers, ...(route.upstreamHost === true ? { host: `127.0.0.1:${route.port}` } : {}) }
    return { route, path, headers }
  }
  const server = createServer((req, res) => {
    const { route, path, headers } = pick(req)
    const upstream = request({ host: '127.0.0.1', port: route.port, method: req.method, path, headers }, up => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.pipe(res)
    })
    upstream.on('error', () => { res.writeHead(502).end() })
    req.pipe(upstream)
  })
  server.on('upgrade', (req, socket, head) => {
    const { route, path, headers } = pick(req)
    const up = connect(route.port, '127.0.0.1', () => {
      const lines = Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map(x => `${k}: ${String(x)}`))
      up.write(`${req.method ?? 'GET'} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`)
      up.write(head)
      up.pipe(socket)
      socket.pipe(up)
    })
    up.on('error', () => socket.destroy())
    socket.on('error', () => up.destroy())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    server.closeAllConnections()
    server.close()
  })
  return { origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` }
}
