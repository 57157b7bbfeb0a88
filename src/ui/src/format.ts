/** Display helpers: sizes, times (UTC, with the local time beside them), and the UTC time field's text form. */

export function bytes (n: number | undefined): string {
  if (n === undefined) return ''
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  let v = n
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`
}

export function count (n: number): string {
  return n.toLocaleString('en-US')
}

/** "1 write", "2 writes": a count with its noun in the right number. */
export function counted (n: number, noun: string, plural = noun + 's'): string {
  return `${count(n)} ${n === 1 ? noun : plural}`
}

const pad = (n: number): string => String(n).padStart(2, '0')

/** The browser's own time of an instant, 24-hour, with the date when it differs from the UTC date. */
export function localOf (ms: number): string | undefined {
  const d = new Date(ms)
  if (d.getTimezoneOffset() === 0) return undefined
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  const offset = -d.getTimezoneOffset()
  const zone = `UTC${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  return `${date === new Date(ms).toISOString().slice(0, 10) ? '' : date + ' '}${time} local, ${zone}`
}

/**
 * The one way times are shown: '2024-05-01 12:00:00 UTC', with the browser's
 * local time beside it when the browser is not on UTC
 * ('2024-05-01 12:00:00 UTC (14:00:00 local, UTC+02:00)').
 */
export function when (iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—'
  const ms = Date.parse(iso)
  // Not a time (a label's name, say): shown as it is.
  if (Number.isNaN(ms)) return iso
  const utc = iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC')
  const local = localOf(ms)
  return local === undefined ? utc : `${utc} (${local})`
}

/** An instant in the canonical form the API uses (seconds, Z). */
export function isoOf (ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z')
}

/** The text a UTC time field shows for an instant: '2024-05-01 12:00:00'. */
export function toField (iso: string | undefined): string {
  return iso === undefined ? '' : iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '')
}

/**
 * A UTC time typed into a field: 'YYYY-MM-DD HH:MM[:SS]' (a 'T' works as
 * the space, a trailing 'Z' or ' UTC' is allowed), or a date alone
 * (midnight). Undefined if it is not one.
 */
export function fromField (text: string): string | undefined {
  const m = /^\s*(\d{4}-\d\d-\d\d)(?:[ T](\d\d:\d\d)(:\d\d(?:\.\d+)?)?)?\s*(?:Z|UTC)?\s*$/i.exec(text)
  if (m === null) return undefined
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00'}${m[3] ?? ':00'}Z`)
  // Date.parse rolls 2024-02-30 over into March: such a date is refused instead.
  return Number.isNaN(ms) || isoOf(ms).slice(0, 10) !== m[1] ? undefined : isoOf(ms)
}

/** True for spec text that names one instant in canonical form. */
export function isInstant (spec: string): boolean {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(spec)
}
