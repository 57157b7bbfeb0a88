/**
 * What S3 answers a listing with, computed from a plain set of live keys:
 * keys under the prefix, those with the delimiter after the prefix folded
 * into common prefixes, all in UTF-8 byte order. The oracle for the
 * gateway's listings; deliberately naive.
 */
export interface Listed { keys: string[], prefixes: string[], all: string[] }

export function byteOrder (a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

export function s3List (live: Iterable<string>, prefix: string, delimiter?: string): Listed {
  const keys: string[] = []
  const prefixes = new Set<string>()
  for (const key of live) {
    if (!key.startsWith(prefix)) continue
    const rest = key.slice(prefix.length)
    const cut = delimiter === undefined || delimiter === '' ? -1 : rest.indexOf(delimiter)
    if (cut < 0) keys.push(key)
    else prefixes.add(prefix + rest.slice(0, cut + (delimiter as string).length))
  }
  keys.sort(byteOrder)
  const p = [...prefixes].sort(byteOrder)
  return { keys, prefixes: p, all: [...keys, ...p].sort(byteOrder) }
}
