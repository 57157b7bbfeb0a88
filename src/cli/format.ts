/** A segment printed so that odd ones ('', '.', control characters) stay visible. */
export function showName (name: string): string {
  // eslint-disable-next-line no-control-regex
  return name === '' || name === '.' || name === '..' || /[\x00-\x1f\x7f]/.test(name) ? JSON.stringify(name) : name
}

export function humanBytes (n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++ }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`
}

/** "1 version", "2 versions": a count with its noun in the right number. */
export function count (n: number, noun: string, plural = noun + 's'): string {
  return `${n} ${n === 1 ? noun : plural}`
}
