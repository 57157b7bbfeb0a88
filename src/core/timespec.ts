import { InfinError } from './errors.js'

/**
 * A parsed time spec. Times are milliseconds since the epoch, always UTC.
 * `label` is only a name here; resolving it needs a label store.
 */
export type Spec =
  | { kind: 'latest' }
  | { kind: 'at', t: number }
  | { kind: 'slice', from: number, to: number }
  | { kind: 'label', name: string }

/** A spec with labels resolved: what a view is computed from. */
export type TimeSpec = Exclude<Spec, { kind: 'label' }>

export const ACCEPTED_FORMS = [
  '2022-12-06T00:00:00Z or 2022-12-06T05:30:00+05:30 (ISO 8601 with Z or an offset; minutes only and fractional seconds allowed)',
  '2022-12-06 (a date: midnight UTC)',
  'tm20221206000000 (UTC)',
  'A..B or tmA-tmB (a slice: what was ingested after A and is live at B)',
  'latest',
  'a label name'
]

const LABEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/
const TM = /^tm(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/
const TM_SLICE = /^(tm\d{14})-(tm\d{14})$/

function bad (text: string, why: string): InfinError {
  return new InfinError('BadSpec',
    `bad time spec '${text}': ${why}. Accepted forms: ${ACCEPTED_FORMS.join('; ')}`)
}

/** True when `text` is shaped like a time, so it can never be a label name. */
export function looksLikeTime (text: string): boolean {
  return text === 'latest' || /^\d{4}-\d{2}-\d{2}/.test(text) || /^tm\d/.test(text) || text.includes('..')
}

export function isLabelName (text: string): boolean {
  return LABEL_NAME.test(text) && !looksLikeTime(text)
}

function utc (text: string, y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms)
  const back = new Date(t)
  // Date.UTC silently rolls Feb 30 over into March; a round trip catches it.
  if (y < 1970 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d ||
      h > 23 || mi > 59 || s > 59) {
    throw bad(text, 'no such date or time')
  }
  return t
}

/** Parses one point in time (not a slice, not a label). */
export function parseInstant (text: string): number {
  const tm = TM.exec(text)
  if (tm !== null) {
    const [y, mo, d, h, mi, s] = tm.slice(1).map(Number)
    return utc(text, y, mo, d, h, mi, s)
  }
  const m = ISO.exec(text)
  if (m === null) throw bad(text, 'not a recognised time')
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m
  if (h === undefined) return utc(text, +y, +mo, +d)
  if (z === undefined && sign === undefined) {
    throw bad(text, 'a time without Z or an offset is ambiguous (local to whom?); add Z for UTC or an offset like +05:30')
  }
  const ms = frac === undefined ? 0 : Math.floor(Number(frac.padEnd(9, '0')) / 1e6)
  let t = utc(text, +y, +mo, +d, +h, +mi, s === undefined ? 0 : +s, ms)
  if (sign !== undefined) {
    if (+oh > 23 || +om > 59) throw bad(text, 'offset out of range')
    const offset = (+oh * 60 + +om) * 60_000
    t -= sign === '+' ? offset : -offset
  }
  return t
}

/**
 * Parses a spec. `now` is the server's current time; times after it are
 * refused, because a view of the future would silently change later.
 */
export function parseSpec (text: string, now?: number): Spec {
  if (text === 'latest') return { kind: 'latest' }
  const tmSlice = TM_SLICE.exec(text)
  const parts = tmSlice !== null ? [tmSlice[1], tmSlice[2]] : text.split('..')
  if (parts.length > 2) throw bad(text, 'a slice has exactly one ".."')
  if (parts.length === 2) {
    const [from, to] = parts.map(parseInstant)
    if (from >= to) throw bad(text, 'a slice needs its start before its end')
    checkPast(text, to, now, true)
    return { kind: 'slice', from, to }
  }
  if (!looksLikeTime(text) && LABEL_NAME.test(text)) return { kind: 'label', name: text }
  const t = parseInstant(text)
  checkPast(text, t, now)
  return { kind: 'at', t }
}

function checkPast (text: string, t: number, now: number | undefined, slice = false): void {
  if (now !== undefined && t > now) {
    // The canonical form is shown only when it says something the text does not.
    const canonical = formatInstant(t)
    const what = slice ? `the slice '${text}' ends at ${canonical}, which` : canonical === text ? `time '${text}'` : `time '${text}' (${canonical})`
    throw new InfinError('FutureTime', `${what} is in the future; the server's time is ${formatInstant(now)}`)
  }
}

/** Canonical UTC form: seconds always, milliseconds only when present. */
export function formatInstant (t: number): string {
  const iso = new Date(t).toISOString()
  return iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso
}

/** The one printable form of a spec: used for display and as a cache key. */
export function formatSpec (spec: Spec): string {
  switch (spec.kind) {
    case 'latest': return 'latest'
    case 'at': return formatInstant(spec.t)
    case 'slice': return `${formatInstant(spec.from)}..${formatInstant(spec.to)}`
    case 'label': return spec.name
  }
}

/** The latest moment a spec looks at: what a cached listing must cover. */
export function horizonOf (spec: TimeSpec): number {
  switch (spec.kind) {
    case 'latest': return Infinity
    case 'at': return spec.t
    case 'slice': return spec.to
  }
}
