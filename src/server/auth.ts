import type { IncomingMessage } from 'node:http'
import { sameToken } from './token.js'

export const COOKIE = 'infinstor-token'

/** Where a request's token came from: each source is trusted for different things. */
export type TokenSource = 'header' | 'query' | 'cookie'

/** Methods that change nothing: a cookie alone may authenticate them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The token a request carries: header, then ?token= (page loads), then cookie. */
export function presentedToken (req: IncomingMessage, url: URL): { token?: string, source?: TokenSource } {
  const auth = req.headers.authorization
  const m = auth === undefined ? null : /^(?:token|bearer)\s+(\S+)$/i.exec(auth)
  if (m !== null) return { token: m[1], source: 'header' }
  const q = url.searchParams.get('token')
  if (q !== null) return { token: q, source: 'query' }
  const cookie = (req.headers.cookie ?? '').split(/;\s*/).find(c => c.startsWith(COOKIE + '='))
  return cookie === undefined ? {} : { token: cookie.slice(COOKIE.length + 1), source: 'cookie' }
}

export function validToken (presented: string | undefined, token: string): boolean {
  return presented !== undefined && sameToken(presented, token)
}

/**
 * Whether a request authenticated by the cookie alone may do what it asks.
 * Browsers attach the cookie to requests that other pages start, including
 * pages on another port of 127.0.0.1 (the same "site", so SameSite does not
 * stop it): a form or a no-cors fetch can POST with it. So anything that
 * changes state needs the token in a header (which no other origin can add
 * without a CORS preflight this server refuses), or proof that the request
 * comes from this origin's own pages: `Sec-Fetch-Site: same-origin`, or an
 * Origin equal to this server's.
 */
export function cookieMayDo (req: IncomingMessage, method: string): boolean {
  if (SAFE_METHODS.has(method)) return true
  if (req.headers['sec-fetch-site'] === 'same-origin') return true
  const origin = req.headers.origin
  return origin !== undefined && req.headers.host !== undefined && origin === `http://${req.headers.host}`
}

export const CROSS_SITE_REFUSED = 'a request that changes something must send the token in the Authorization header ' +
  '("Authorization: token <token>"); the session cookie alone is accepted only from the dashboard\'s own pages'
