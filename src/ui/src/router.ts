import { useEffect, useState } from 'preact/hooks'

/**
 * Pages live in the URL fragment (#/browse?bucket=b&path=p&at=T), so every
 * view can be bookmarked and shared, and the server only serves real files.
 */
export interface Route { page: string, params: URLSearchParams }

export function parseHash (hash: string): Route {
  const text = hash.replace(/^#\/?/, '')
  const q = text.indexOf('?')
  const page = (q < 0 ? text : text.slice(0, q)) || 'buckets'
  return { page, params: new URLSearchParams(q < 0 ? '' : text.slice(q + 1)) }
}

export function href (page: string, params: Record<string, string | undefined> = {}): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, v)
  const s = p.toString()
  return `#/${page}${s === '' ? '' : '?' + s}`
}

export function go (page: string, params: Record<string, string | undefined> = {}): void {
  location.hash = href(page, params)
}

export function useRoute (): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash))
  useEffect(() => {
    const on = (): void => setRoute(parseHash(location.hash))
    addEventListener('hashchange', on)
    return () => removeEventListener('hashchange', on)
  }, [])
  return route
}
