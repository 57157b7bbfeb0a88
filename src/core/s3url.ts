import { InfinError } from './errors.js'

export interface Target {
  bucket: string
  /** The raw key or prefix, exactly as typed (it may contain '//', '.', '..'). */
  key: string
  /** The text after the last '@', or undefined when none was given. */
  spec?: string
}

// Bucket naming rules, loosely: what matters here is a clear error early.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

export function checkBucketName (bucket: string): string {
  if (!BUCKET.test(bucket)) {
    throw new InfinError('BadSpec', `'${bucket}' is not a valid bucket name (3-63 characters: a-z, 0-9, '.', '-')`)
  }
  return bucket
}

/**
 * Parses `s3://bucket/key@spec` (the `s3://` is optional). The spec is the
 * text after the last '@' when that text holds no '/', so keys may contain
 * '@' (write `key@latest` when a key itself ends in '@something').
 */
export function parseTarget (text: string): Target {
  const rest = text.startsWith('s3://') ? text.slice(5) : text
  const slash = rest.indexOf('/')
  let head = slash < 0 ? rest : rest.slice(0, slash)
  let key = slash < 0 ? '' : rest.slice(slash + 1)
  let spec: string | undefined
  const at = (slash < 0 ? head : key).lastIndexOf('@')
  if (slash < 0 && at >= 0) {
    spec = head.slice(at + 1)
    head = head.slice(0, at)
  } else if (at >= 0 && !key.slice(at + 1).includes('/')) {
    spec = key.slice(at + 1)
    key = key.slice(0, at)
  }
  if (head === '') throw new InfinError('Usage', `'${text}' names no bucket; use s3://bucket/path@time`)
  if (spec === '') throw new InfinError('BadSpec', `'${text}' ends in '@' with no time after it`)
  return { bucket: checkBucketName(head), key, spec }
}

/** A key prefix for listing a directory: '' for the root, else ending in '/'. */
export function dirPrefix (key: string): string {
  return key === '' || key.endsWith('/') ? key : key + '/'
}
