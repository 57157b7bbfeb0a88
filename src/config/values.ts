import { checkBucketName } from '../core/s3url.js'

/** What a text setting must look like; each is checked when settings are read. */
export type TextFormat = 'url' | 'origins' | 'absolute-path' | 'path' | 'token' | 'word' | 'host' | 'label-store' | 'index' | 'buckets'

/** What a setting accepts, as the declarations say it (see settings.ts). */
export interface ValueRule {
  type: 'string' | 'number' | 'boolean'
  /** Numbers: whole numbers only. */
  integer?: boolean
  /** Numbers: the smallest and largest allowed. */
  min?: number
  max?: number
  /** Texts: the form the text must have. */
  format?: TextFormat
}

/** Characters a cookie value may hold (RFC 6265 cookie-octet): the token travels in one. */
const COOKIE_OCTETS = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/

const FORMATS: Record<TextFormat, { what: string, ok: (text: string) => boolean }> = {
  url: { what: 'an http:// or https:// URL', ok: text => /^https?:$/.test(parseUrl(text)?.protocol ?? '') },
  origins: {
    what: 'origins separated by commas, each scheme://host[:port] with no path (e.g. http://localhost:8888)',
    ok: text => text.split(',').map(s => s.trim()).filter(s => s !== '').every(o => parseUrl(o)?.origin === o)
  },
  'absolute-path': { what: 'an absolute path (starting with /)', ok: text => text.startsWith('/') && !text.includes('\0') },
  path: { what: 'a file or folder path', ok: text => !text.includes('\0') },
  token: { what: 'printable ASCII without spaces, quotes, commas, semicolons or backslashes (it is sent in a cookie)', ok: text => COOKIE_OCTETS.test(text) },
  word: { what: 'letters, digits, \'.\', \'_\' and \'-\'', ok: text => /^[A-Za-z0-9._-]+$/.test(text) },
  host: { what: 'a host name or an IP address', ok: text => /^[A-Za-z0-9.-]+$/.test(text) || /^[0-9A-Fa-f:.]+$/.test(text) },
  'label-store': {
    what: "'local', a file path, or s3://bucket/prefix/ with a valid bucket name",
    ok: text => !text.includes('\0') && (!text.startsWith('s3://') || validBucket(text.slice(5).split('/')[0]))
  },
  index: {
    what: 'an SQLite file path, or a postgres:// or postgresql:// URL',
    ok: text => text !== '' && !text.includes('\0') && (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^postgres(ql)?:$/i.test(parseUrl(text)?.protocol ?? ''))
  },
  buckets: {
    what: 'bucket names separated by commas',
    ok: text => text.split(',').map(s => s.trim()).every(validBucket)
  }
}

function parseUrl (text: string): URL | undefined {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}

function validBucket (name: string): boolean {
  try {
    checkBucketName(name)
    return true
  } catch {
    return false
  }
}

/** The values a rule accepts, in words: for error messages, --help and the README. */
export function describeValues (rule: ValueRule): string {
  if (rule.type === 'boolean') return 'true or false'
  if (rule.type === 'string') return rule.format === undefined ? 'text' : FORMATS[rule.format].what
  const kind = rule.integer === true ? 'a whole number' : 'a number'
  if (rule.min !== undefined && rule.max !== undefined) return `${kind} from ${rule.min} to ${rule.max}`
  if (rule.min !== undefined) return `${kind} of at least ${rule.min}`
  if (rule.max !== undefined) return `${kind} of at most ${rule.max}`
  return kind
}

/** The value a rule makes of raw input (a flag's text, an environment variable, a config-file value), or undefined if it does not fit. */
export function parseValue (rule: ValueRule, raw: unknown): string | number | boolean | undefined {
  if (rule.type === 'boolean') {
    if (typeof raw === 'boolean') return raw
    if (/^(1|true|yes|on)$/i.test(String(raw))) return true
    if (/^(0|false|no|off)$/i.test(String(raw))) return false
    return undefined
  }
  if (rule.type === 'string') {
    if (typeof raw !== 'string' && typeof raw !== 'number') return undefined
    const text = String(raw)
    return rule.format === undefined || FORMATS[rule.format].ok(text) ? text : undefined
  }
  // Number('') and Number(' ') are 0, and Number(true) is 1: only real numerals count.
  if (typeof raw === 'string' && !/^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(raw)) return undefined
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined
  const n = Number(raw)
  if (!Number.isFinite(n)) return undefined
  if (rule.integer === true && !Number.isInteger(n)) return undefined
  if ((rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max)) return undefined
  return n
}
