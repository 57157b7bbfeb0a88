import { formatInstant, parseSpec } from '../../core/timespec.js'

/**
 * `<input type="datetime-local">` speaks the browser's local time with no
 * zone; views are named in UTC. These convert between the two, so the
 * pickers feel local while every spec that leaves the browser is UTC.
 */

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** 'YYYY-MM-DDTHH:mm:ss' in local time, as the picker shows it. */
export function toLocalInput (t: number): string {
  const d = new Date(t)
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** The instant a picker value means, or undefined for an empty or partial value. */
export function fromLocalInput (value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value)
  if (m === null) return undefined
  const [y, mo, d, h, mi, s = '0', ms = '0'] = m.slice(1)
  const t = new Date(+y, +mo - 1, +d, +h, +mi, +s, +ms.padEnd(3, '0')).getTime()
  return Number.isNaN(t) ? undefined : t
}

/** The local zone's offset as '+05:30', for labels next to the pickers. */
export function zoneLabel (t: number): string {
  const offset = -new Date(t).getTimezoneOffset()
  const sign = offset < 0 ? '-' : '+'
  const abs = Math.abs(offset)
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

/** The canonical spec of a snapshot picked in local time. */
export function snapshotSpec (value: string): string {
  const t = fromLocalInput(value)
  if (t === undefined) throw new Error('pick a date and a time')
  return formatInstant(t)
}

/** The canonical spec of a slice picked in local time; checks its order. */
export function sliceSpec (from: string, to: string): string {
  const a = fromLocalInput(from)
  const b = fromLocalInput(to)
  if (a === undefined || b === undefined) throw new Error('pick both ends of the slice')
  if (a >= b) throw new Error('the slice must start before it ends')
  const text = `${formatInstant(a)}..${formatInstant(b)}`
  parseSpec(text)
  return text
}

/** An instant in the browser's zone, as the pickers show it: '2022-12-06 05:30:00 UTC+05:30'. */
export function localText (t: number): string {
  return `${toLocalInput(t).replace('T', ' ')} ${zoneLabel(t)}`
}
