/** Display helpers: sizes, UTC times, and the time picker's text form. */

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

/** '2024-05-01T12:00:00Z' -> '2024-05-01 12:00:00 UTC' */
export function when (iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—'
  return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC')
}

/** An instant in the canonical form the API uses (seconds, Z). */
export function isoOf (ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z')
}

/** datetime-local inputs have no zone: the dashboard's pickers are in UTC. */
export function toPicker (iso: string | undefined): string {
  return iso === undefined ? '' : iso.replace(/(\.\d+)?Z$/, '').slice(0, 19)
}

export function fromPicker (value: string): string | undefined {
  if (value === '') return undefined
  return (value.length === 16 ? value + ':00' : value) + 'Z'
}

/** True for spec text that names one instant in canonical form. */
export function isInstant (spec: string): boolean {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(spec)
}
