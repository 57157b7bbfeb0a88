import { readFile } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InfinError } from '../core/errors.js'
import type { Reply, Router } from '../server/http.js'

/** The built front end: dist/ui of the package, whether this runs from src/ or dist/. */
export const UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url))

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json'
}

/** Headers of the dashboard's own pages. */
export const PAGE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer'
}

/** Serves the dashboard at /ui/ (its pages route by URL fragment, so only real files exist). */
export function staticRoutes (router: Router, dir = UI_DIR): void {
  const cache = new Map<string, Buffer>()
  router.get(/^\/ui(\/.*)?$/, async (req): Promise<Reply> => {
    const rest = req.params[0]
    if (rest === undefined) return { status: 302, headers: { Location: '/ui/' + req.url.search }, body: '', type: 'text/plain' }
    const rel = normalize(rest === '/' ? '/index.html' : rest).replace(/^[/\\]+/, '')
    if (rel.startsWith('..') || rel.includes(`..${sep}`)) throw new InfinError('NotFound', `no such file: ${rest}`)
    const path = join(dir, rel)
    let body = cache.get(path)
    if (body === undefined) {
      try {
        body = await readFile(path)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'EISDIR') throw e
        if (rel === 'index.html') {
          throw new InfinError('NotFound', `the dashboard is not built (no ${path}): run 'sh scripts/setup.sh' (or 'npm run build:ui') in the infinstor checkout`)
        }
        throw new InfinError('NotFound', `no such file: /ui/${rel}`)
      }
      cache.set(path, body)
    }
    // Vite names assets by content hash, so only the page itself must be revalidated.
    const caching = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'
    return { headers: { ...PAGE_HEADERS, 'Cache-Control': caching }, body, type: TYPES[extname(rel)] ?? 'application/octet-stream' }
  })
}
