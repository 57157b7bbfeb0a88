import { S3Error } from './errors.js'

/**
 * A request target as it arrived, and decoded. S3 owns the whole path
 * space of its endpoint, so the path is never normalised: `a//b`, `.` and
 * `..` segments are parts of keys.
 */
export interface Target {
  /** The path exactly as sent (still percent-encoded), for signatures. */
  rawPath: string
  /** The query exactly as sent, without the '?'. */
  rawQuery: string
  /** The percent-decoded path. */
  path: string
  /** Query parameters in arrival order, percent-decoded ('+' stays '+', as in S3). */
  query: Array<[string, string]>
}

export function percentDecode (text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw new S3Error(400, 'InvalidURI', `could not parse the request URI: bad percent-encoding in '${text.slice(0, 200)}'`)
  }
}

/** Splits a raw query into decoded name/value pairs; `?location` has the value ''. */
export function parseQuery (rawQuery: string): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const part of rawQuery.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    out.push(eq < 0 ? [percentDecode(part), ''] : [percentDecode(part.slice(0, eq)), percentDecode(part.slice(eq + 1))])
  }
  return out
}

export function parseTarget (url: string): Target {
  if (!url.startsWith('/')) throw new S3Error(400, 'InvalidURI', 'the request target must be an absolute path')
  const q = url.indexOf('?')
  const rawPath = q < 0 ? url : url.slice(0, q)
  const rawQuery = q < 0 ? '' : url.slice(q + 1)
  return { rawPath, rawQuery, path: percentDecode(rawPath), query: parseQuery(rawQuery) }
}

export function param (target: Target, name: string): string | undefined {
  return target.query.find(([n]) => n === name)?.[1]
}

export function hasParam (target: Target, name: string): boolean {
  return target.query.some(([n]) => n === name)
}

/**
 * What a path names, in either form: `/@VIEW/bucket/key` (a view as the
 * endpoint's path prefix) or `/bucket/key`, where the key may itself start
 * with an `@VIEW/` segment (see objectScope and listingScope).
 */
export interface Address {
  /** The spec text of a `/@VIEW/` path prefix. */
  pathView?: string
  bucket?: string
  /** The key after `bucket/`; undefined for bucket requests (`/bucket` or `/bucket/`). */
  key?: string
}

export function addressOf (path: string): Address {
  let rest = path.slice(1)
  let pathView: string | undefined
  if (rest.startsWith('@')) {
    const slash = rest.indexOf('/')
    pathView = slash < 0 ? rest.slice(1) : rest.slice(1, slash)
    rest = slash < 0 ? '' : rest.slice(slash + 1)
  }
  if (rest === '') return { pathView }
  const slash = rest.indexOf('/')
  if (slash < 0) return { pathView, bucket: rest }
  const key = rest.slice(slash + 1)
  return { pathView, bucket: rest.slice(0, slash), key: key === '' ? undefined : key }
}

/** The view and the key within it that an object request names. */
export interface ObjectScope {
  viewText: string
  /** The key relative to the view's root. */
  key: string
}

export function objectScope (addr: Address & { key: string }): ObjectScope {
  if (addr.pathView !== undefined) return { viewText: addr.pathView, key: addr.key }
  if (!addr.key.startsWith('@')) return { viewText: 'latest', key: addr.key }
  const slash = addr.key.indexOf('/')
  return slash < 0
    ? { viewText: addr.key.slice(1), key: '' }
    : { viewText: addr.key.slice(1, slash), key: addr.key.slice(slash + 1) }
}

/** The view a listing reads, and how its keys are named in the reply. */
export interface ListingScope {
  viewText: string
  /** Prepended to every key and prefix of the reply: `@VIEW/` when the view came in the prefix. */
  base: string
  /** The prefix relative to the view's root. */
  prefix: string
  /** A bucket's own root (no view named): its labels and `@latest` are offered as prefixes. */
  offersViews: boolean
}

export function listingScope (addr: Address, prefix: string): ListingScope {
  if (addr.pathView !== undefined) return { viewText: addr.pathView, base: '', prefix, offersViews: false }
  const slash = prefix.indexOf('/')
  if (prefix.startsWith('@') && slash > 0) {
    return { viewText: prefix.slice(1, slash), base: prefix.slice(0, slash + 1), prefix: prefix.slice(slash + 1), offersViews: false }
  }
  return { viewText: 'latest', base: '', prefix, offersViews: true }
}
