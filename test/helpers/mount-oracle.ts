// What the mounted tree must show for a set of live keys, from the README's rules.
import { sha, type State } from './history.js'

/**
 * The README's mapping of key segments to file names, written out again
 * here so the test does not lean on src/core/names.ts.
 */
function fnv1a (text: string): string {
  let h = 0x811c9dc5
  for (const b of Buffer.from(text, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0
  return h.toString(16).padStart(8, '0')
}

function fileName (seg: string): string {
  if (seg === '') return '／'
  if (seg === '.') return '．'
  if (seg === '..') return '．．'
  const bytes = Buffer.from(seg, 'utf8')
  if (bytes.length <= 255) return seg
  let cut = 255 - 9
  while ((bytes[cut] & 0xc0) === 0x80) cut--
  return bytes.subarray(0, cut).toString('utf8') + '~' + fnv1a(seg)
}

/** What the mount must show for a set of live keys: files with hashes, and directories. */
export function expected (state: State): { files: Record<string, string>, dirs: string[] } {
  const keys = [...state.keys()]
  const files: Record<string, string> = {}
  const dirs = new Set<string>()
  for (const key of keys) {
    const segs = key.split('/')
    for (let n = 1; n < segs.length; n++) dirs.add(segs.slice(0, n).map(fileName).join('/'))
    // 'dir/' markers are directories only; a file beside a directory of its name is hidden.
    if (key.endsWith('/') || keys.some(k => k.startsWith(key + '/'))) continue
    files[segs.map(fileName).join('/')] = sha(state.get(key) as Buffer)
  }
  return { files, dirs: [...dirs].sort() }
}

