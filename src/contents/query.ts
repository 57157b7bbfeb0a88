import { InfinError } from '../core/errors.js'

export type ModelType = 'directory' | 'file' | 'notebook'
export type FileFormat = 'text' | 'base64'

/** A contents GET's options, as Jupyter's handler accepts them. */
export interface GetOptions {
  content: boolean
  hash: boolean
  type?: ModelType
  format?: FileFormat
}

const TYPES: readonly string[] = ['directory', 'file', 'notebook']
const FORMATS: readonly string[] = ['text', 'base64']

/** Jupyter's flags: absent means the default; else '0' or '1', and anything else is a 400, as in Jupyter. */
function flag (params: URLSearchParams, name: string, byDefault: boolean): boolean {
  const v = params.get(name)
  if (v === null) return byDefault
  if (v !== '0' && v !== '1') throw new InfinError('Usage', `${name} '${v}' is invalid: use 0 or 1`)
  return v === '1'
}

/**
 * Reads content, hash, type and format. Unknown parameters are ignored:
 * JupyterLab adds a bare cache-busting number to every request.
 */
export function parseGetOptions (params: URLSearchParams): GetOptions {
  const type = params.get('type') ?? ''
  const format = params.get('format') ?? ''
  if (type !== '' && !TYPES.includes(type)) {
    throw new InfinError('Usage', `type '${type}' is invalid: use directory, file or notebook`)
  }
  if (format !== '' && !FORMATS.includes(format)) {
    throw new InfinError('Usage', `format '${format}' is invalid: use text or base64 (notebooks always come as JSON)`)
  }
  return {
    content: flag(params, 'content', true),
    hash: flag(params, 'hash', false),
    type: type === '' ? undefined : type as ModelType,
    format: format === '' ? undefined : format as FileFormat
  }
}

/**
 * The file-name segments of a raw URL path: percent-decoded one by one, so
 * an encoded '/' can never split a name. Empty segments (a trailing slash)
 * are dropped; the mount never shows an empty name.
 */
export function splitPath (raw: string | undefined): string[] {
  if (raw === undefined || raw === '') return []
  return raw.split('/').filter(s => s !== '').map(s => {
    try {
      return decodeURIComponent(s)
    } catch {
      throw new InfinError('Usage', `the path segment '${s}' is not valid percent-encoding`)
    }
  })
}
