import { InfinError } from '../../core/errors.js'
import { checkBucketName, dirPrefix } from '../../core/s3url.js'
import type { ViewInfo } from '../../core/api-types.js'
import { formatInstant } from '../../core/timespec.js'
import type { View } from '../../engine/engine.js'
import type { Request } from '../../server/http.js'

/** The route's first capture group (the router has decoded it). */
export function nameParam (req: Request): string {
  return req.params[0] ?? ''
}

/** The bucket named by the route's first capture group. */
export function bucketParam (req: Request): string {
  return checkBucketName(nameParam(req))
}

export function query (req: Request, name: string): string | undefined {
  const v = req.url.searchParams.get(name)
  return v === null || v === '' ? undefined : v
}

export function required (req: Request, name: string): string {
  const v = query(req, name)
  if (v === undefined) throw new InfinError('Usage', `missing query parameter '${name}'`)
  return v
}

function count (req: Request, name: string, fallback: number, max: number): number {
  const text = query(req, name)
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0) throw new InfinError('Usage', `'${name}' must be a whole number, not '${text}'`)
  return Math.min(n, max)
}

export interface Page { offset: number, limit: number }

export const MAX_PAGE = 5000

/** offset/limit: every list endpoint pages, so no reply grows with the bucket. */
export function pageParams (req: Request, fallbackLimit = 1000): Page {
  return { offset: count(req, 'offset', 0, Number.MAX_SAFE_INTEGER), limit: count(req, 'limit', fallbackLimit, MAX_PAGE) }
}

export function pageOf<T> (items: readonly T[], page: Page): T[] {
  return items.slice(page.offset, page.offset + page.limit)
}

/** A whole-number query parameter within bounds. */
export function intParam (req: Request, name: string, fallback: number, min: number, max: number): number {
  const n = count(req, name, fallback, max)
  if (n < min) throw new InfinError('Usage', `'${name}' must be at least ${min}`)
  return n
}

/**
 * A path inside a view: relative to the view's root (a label may root its
 * view below the bucket), with any leading '/' dropped.
 */
export function relPath (req: Request, name = 'path'): string {
  return (query(req, name) ?? '').replace(/^\/+/, '')
}

/** The key prefix listing a directory of the view. */
export function dirKey (view: View, path: string): string {
  return view.root + dirPrefix(path)
}

/** What a reply says about the view it was computed from. */
export function viewJson (view: View): ViewInfo {
  const out: ViewInfo = { bucket: view.bucket, root: view.root, spec: view.name, kind: view.spec.kind }
  if (view.spec.kind === 'at') out.t = formatInstant(view.spec.t)
  if (view.spec.kind === 'slice') Object.assign(out, { from: formatInstant(view.spec.from), to: formatInstant(view.spec.to) })
  if (view.label !== undefined) out.label = view.label
  return out
}
