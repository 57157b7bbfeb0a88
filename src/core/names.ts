/**
 * Maps S3 key segments (the text between slashes) onto file names. Every S3
 * key is valid, but not every segment is a valid file name, so odd segments
 * get a visible stand-in rather than being hidden:
 *
 *   ''  (from a//b)   -> '／'  (U+FF0F, fullwidth solidus)
 *   '.'               -> '．'  (U+FF0E, fullwidth full stop)
 *   '..'              -> '．．'
 *   NUL inside a name -> '␀'  (U+2400)
 *   over 255 bytes    -> first bytes + '~' + 8 hex digits of a hash
 *
 * If a stand-in collides with another name in the same directory, the odd
 * entry also gets '~' + hash. Names are only ever resolved against a
 * directory listing, so the mapping need not be reversible by formula.
 * When a file and a directory share a segment, the directory wins and the
 * file is returned as shadowed so the caller can report it.
 */
export const MAX_NAME_BYTES = 255

export interface RawEntry {
  seg: string
  kind: 'file' | 'dir'
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** FNV-1a over UTF-8: small, pure, and stable across runs. */
export function hash8 (text: string): string {
  let h = 0x811c9dc5
  for (const b of encoder.encode(text)) {
    h ^= b
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(16).padStart(8, '0')
}

function truncateBytes (name: string, maxBytes: number): string {
  const bytes = encoder.encode(name)
  if (bytes.length <= maxBytes) return name
  let cut = maxBytes
  while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--
  return decoder.decode(bytes.subarray(0, cut))
}

function withHash (name: string, seg: string): string {
  const suffix = '~' + hash8(seg)
  return truncateBytes(name, MAX_NAME_BYTES - suffix.length) + suffix
}

/** The stand-in for one segment, before collisions are considered. */
export function segmentName (seg: string): string {
  if (seg === '') return '／'
  if (seg === '.') return '．'
  if (seg === '..') return '．．'
  const name = seg.replaceAll('\0', '␀')
  if (encoder.encode(name).length > MAX_NAME_BYTES) return withHash(name, seg)
  return name
}

export interface Named<T> {
  named: Array<T & { name: string }>
  shadowed: T[]
}

/** Names a directory's entries; the result is sorted by name. */
export function nameEntries<T extends RawEntry> (entries: readonly T[]): Named<T> {
  const dirSegs = new Set(entries.filter(e => e.kind === 'dir').map(e => e.seg))
  const shadowed = entries.filter(e => e.kind === 'file' && dirSegs.has(e.seg))
  const kept = entries.filter(e => !(e.kind === 'file' && dirSegs.has(e.seg)))
  const first = kept.map(e => ({ ...e, name: segmentName(e.seg) }))
  const count = new Map<string, number>()
  for (const e of first) count.set(e.name, (count.get(e.name) ?? 0) + 1)
  const named = first.map(e => (count.get(e.name) as number) > 1 && e.name !== e.seg
    ? { ...e, name: withHash(e.name, e.seg) }
    : e)
  named.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  return { named, shadowed }
}
