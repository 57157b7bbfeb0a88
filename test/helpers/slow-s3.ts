import { once } from 'node:events'
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface SlowS3 {
  endpoint: string
  /** Listing requests the proxy has received (retries included). */
  listings: () => number
  /** Listing requests that repeat an earlier one (a client that gave up and sent it again). */
  repeats: () => number
  /** GETs of a byte range (object reads) the proxy has received. */
  rangedGets: () => number
  /** From now on, requests are held and never answered (a server that went silent). */
  silence: () => void
}

/**
 * How the proxy spends its time: 'queue' serves listings one at a time in
 * arrival order (everything else passes straight through); 'shared' works
 * on every request at once, each getting an equal share, as moto's threads
 * share Python's one lock: a burst of listings is answered all late,
 * together, and so is anything sent meanwhile. A short request there waits
 * for the lock between each of its steps as a long one does (measured on
 * moto: a HEAD of 5 ms alone took 2.4 s beside 16 listings of 0.2 to 0.4 s),
 * so here every request costs what a listing does.
 */
export type Sharing = 'queue' | 'shared'

const TICK_MS = 10

/**
 * A proxy in front of moto that answers ListObjectVersions as a loaded
 * server does, each listing costing `serviceMs` of its time (see Sharing).
 * A listing the client gave up on still costs it (the server does not
 * notice), as moto computes a page whether or not anyone still waits for it.
 */
export async function slowListings (t: Teardown, upstream: string, serviceMs: number, sharing: Sharing = 'queue'): Promise<SlowS3> {
  const target = new URL(upstream)
  let queue = Promise.resolve()
  // 'shared': the work left of each request in progress, shared out every tick.
  const working = new Map<() => void, number>()
  const ticker = setInterval(() => {
    const share = TICK_MS / Math.max(1, working.size)
    for (const [done, left] of working) {
      if (left > share) working.set(done, left - share)
      else { working.delete(done); done() }
    }
  }, TICK_MS)
  const work = async (ms: number): Promise<void> => { await new Promise<void>(resolve => working.set(resolve, ms)) }
  let listings = 0
  const seen = new Set<string>()
  let repeats = 0
  let rangedGets = 0
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
      if (req.method === 'GET' && req.headers.range !== undefined) rangedGets++
      if (listing) {
        listings++
        if (seen.has(req.url ?? '')) repeats++
        seen.add(req.url ?? '')
      }
      if (silent) return
      if (sharing === 'shared') {
        void work(serviceMs).then(async () => { if (!silent) await forward(req, res, body) })
      } else if (!listing) {
        void forward(req, res, body)
      } else {
        queue = queue.then(async () => {
          await new Promise(resolve => setTimeout(resolve, serviceMs))
          if (!silent) await forward(req, res, body)
        })
      }
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    clearInterval(ticker)
    server.closeAllConnections()
    server.close()
  })
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    listings: () => listings,
    repeats: () => repeats,
    rangedGets: () => rangedGets,
    silence: () => { silent = true }
  }
}
