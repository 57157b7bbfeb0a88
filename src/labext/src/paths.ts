import { parseSpec, type Spec } from '../../core/timespec.js'

/**
 * The drive's tree is the mount's tree: `<bucket>/@<spec>/<path…>`. The
 * file browser's path is the single source of truth for what is on view;
 * these helpers read and write it.
 */
export interface ViewPath {
  /** '' at the root, where the buckets are listed. */
  bucket: string
  /** The text after '@' in the second segment, when there is one. */
  spec?: string
  /** The path below the view's root: '' or 'a/b'. */
  rest: string
}

export function parseViewPath (localPath: string): ViewPath {
  const parts = localPath.split('/').filter(p => p !== '')
  const [bucket = '', second, ...rest] = parts
  if (second === undefined || !second.startsWith('@')) {
    return { bucket, rest: [second, ...rest].filter(p => p !== undefined).join('/') }
  }
  return { bucket, spec: second.slice(1), rest: rest.join('/') }
}

export function viewPath (bucket: string, spec: string, rest = ''): string {
  return [bucket, '@' + spec, rest].filter(p => p !== '').join('/')
}

/** The plain path to use from code: the same tree under the mount point. */
export function mountPath (mountPoint: string, localPath: string): string {
  const root = mountPoint.replace(/\/+$/, '')
  const rel = localPath.replace(/^\/+/, '')
  return rel === '' ? (root === '' ? '/' : root) : `${root}/${rel}`
}

/**
 * The same item through the S3 gateway, in its canonical naming (the view as
 * the first key segment): `s3://bucket/@spec/path`, a folder ending in '/'.
 * The drive shows the mount's file names, which are the keys except for the
 * few keys no file name can hold (an empty, '.' or '..' segment).
 */
export function s3UrlOf (localPath: string, isDirectory: boolean, canonicalSpec?: string): string | undefined {
  const view = parseViewPath(localPath)
  const spec = canonicalSpec ?? view.spec
  if (view.bucket === '' || spec === undefined) return undefined
  const tail = view.rest === '' ? '' : view.rest + (isDirectory ? '/' : '')
  return `s3://${view.bucket}/@${spec}/${tail}`
}

/** A spec's kind for the toolbar, or undefined when it does not parse. */
export function specOf (text: string | undefined): Spec | undefined {
  if (text === undefined) return undefined
  try {
    return parseSpec(text)
  } catch {
    return undefined
  }
}
