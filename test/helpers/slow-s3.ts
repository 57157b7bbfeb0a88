import { once } from 'node:events'
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface SlowS3 {
  endpoint: string
  /** Listing requests the proxy has received (retries included). */
  listings: () => number
  /** Listing requests that repeat an earlier one (a client that gave up and sent it again). */
  repeats: () => number
  /** From now on, listing requests are held and never answered (a server that went silent). */
  silence: () => void
}

/**
 * A proxy in front of moto that answers ListObjectVersions the way a
 * loaded single-threaded server does: one listing at a time, each taking
 * `serviceMs` more, in arrival order. A listing the client gave up on
 * still takes its turn (the server does not notice), as moto computes a
 * page whether or not anyone still waits for it. Everything else passes
 * straight through.
 */
export async function slowListings (t: Teardown, upstream: string, serviceMs: number): Promise<SlowS3> {
  const target = new URL(upstream)
  let queue = Promise.resolve()
  let listings = 0
  const seen = new Set<string>()
  let repeats = 0
  let silent = false
  const forward = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    await new Promise<void>(resolve => {
      const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, r => {
        res.writeHead(r.statusCode ?? 502, r.headers)
        r.pipe(res)
        r.on('end', resolve)
        r.on('error', resolve)
      })
      up.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); resolve() })
      up.end(body)
    })
  }
  const server = createServer((req, res) => {
    res.on('error', () => {})
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const listing = /[?&]versions(=|&|$)/.test(req.url ?? '')
      if (!listing) {
        void forward(req, res, body)
        return
      }
      listings++
      if (seen.has(req.url ?? '')) repeats++
      seen.add(req.url ?? '')
      if (silent) return
      queue = queue.then(async () => {
        await new Promise(resolve => setTimeout(resolve, serviceMs))
        if (silent) return
        await forward(req, res, body)
      })
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    server.closeAllConnections()
    server.close()
  })
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    listings: () => listings,
    repeats: () => repeats,
    silence: () => { silent = true }
  }
}
