import type { Version } from '../core/versions.js'
import { S3Error } from './errors.js'

/** Bytes [start, end) to send, and whether that is a part of the object (206). */
export interface Span { start: number, end: number, partial: boolean }

/**
 * A Range header against an object of `size` bytes: `bytes=a-b`, `a-` or
 * `-n`. A header that is not one such range is ignored (the whole object),
 * as HTTP allows; one that no byte satisfies is 416 InvalidRange.
 */
export function rangeOf (header: string | undefined, size: number): Span {
  const whole = { start: 0, end: size, partial: false }
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (m === null || (m[1] === '' && m[2] === '')) return whole
  let start: number
  let end: number
  if (m[1] === '') {
    const n = Number(m[2])
    if (n === 0 || size === 0) throw unsatisfiable(size)
    start = Math.max(0, size - n)
    end = size
  } else {
    start = Number(m[1])
    end = m[2] === '' ? Infinity : Number(m[2]) + 1
    if (end <= start) return whole
    if (start >= size) throw unsatisfiable(size)
    end = Math.min(end, size)
  }
  return { start, end, partial: true }
}

function unsatisfiable (size: number): S3Error {
  return new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable',
    { details: { ActualObjectSize: String(size) }, headers: { 'Content-Range': `bytes */${size}` } })
}

/** ETags compare without their quotes (clients differ in keeping them) and without a weak prefix. */
function bareTag (tag: string): string {
  return tag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1')
}

function matches (header: string, etag: string): boolean {
  const mine = bareTag(etag)
  return header.split(',').some(t => t.trim() === '*' || bareTag(t) === mine)
}

/** HTTP dates have whole seconds; so does the comparison. */
function secondsOf (header: string | undefined): number | undefined {
  if (header === undefined) return undefined
  const t = Date.parse(header)
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000)
}

export interface Conditions {
  ifMatch?: string
  ifNoneMatch?: string
  ifModifiedSince?: string
  ifUnmodifiedSince?: string
}

/**
 * Evaluates conditional headers in RFC 9110's order, as S3 does: a failed
 * If-Match (else If-Unmodified-Since) is 412; a matching If-None-Match
 * (else an unchanged If-Modified-Since) is 304. Returns the status to
 * answer instead of the object, or undefined to serve it.
 */
export function preconditionStatus (c: Conditions, v: Version): 304 | 412 | undefined {
  const modified = Math.floor(v.lastModified / 1000)
  if (c.ifMatch !== undefined) {
    if (!matches(c.ifMatch, v.etag)) return 412
  } else {
    const since = secondsOf(c.ifUnmodifiedSince)
    if (since !== undefined && modified > since) return 412
  }
  if (c.ifNoneMatch !== undefined) {
    if (matches(c.ifNoneMatch, v.etag)) return 304
  } else {
    const since = secondsOf(c.ifModifiedSince)
    if (since !== undefined && modified <= since) return 304
  }
  return undefined
}
