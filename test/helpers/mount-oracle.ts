// What the mounted tree must show for a set of live keys, from the README's rules.
import { sha, type State } from './history.js'

/**
 * The README's mapping of key segments to file names ("Keys that are not
 * file names"), written out again here so the test does not lean on
 * src/core/names.ts. All seven rules:
 *   1. an empty segment (a//b) is '／';  2. '.' and '..' are '．' and '．．';
 *   3. a segment over 255 bytes is cut, plus '~' and an FNV-1a hash (255 bytes in all);
 *   4. a stand-in that equals a real name beside it gets '~' + hash too;
 *   5. NUL inside a segment is '␀';  6. a directory hides a file of its name;
 *   7. a 'dir/' marker is a directory.
 */
function fnv1a (text: string): string {
  let h = 0x811c9dc5
  for (const b of Buffer.from(text, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0
  return h.toString(16).padStart(8, '0')
}

function cut (text: string, bytes: number): string {
  const b = Buffer.from(text, 'utf8')
  if (b.length <= bytes) return text
  let at = bytes
  while ((b[at] & 0xc0) === 0x80) at--
  return b.subarray(0, at).toString('utf8')
}

function hashed (name: string, seg: string): string {
  return cut(name, 255 - 9) + '~' + fnv1a(seg)
}

function standIn (seg: string): string {
  if (seg === '') return '／'
  if (seg === '.') return '．'
  if (seg === '..') return '．．'
  const name = seg.replaceAll('\0', '␀')
  return Buffer.byteLength(name) > 255 ? hashed(name, seg) : name
}

interface Dir { files: Map<string, Buffer>, dirs: Map<string, Dir> }

/** File names of one directory's segments (directories first claim theirs: a file of the same segment is hidden). */
function nameDir (dir: Dir): { files: Map<string, Buffer>, dirs: Map<string, Dir> } {
  const segs = [...dir.dirs.keys(), ...[...dir.files.keys()].filter(s => !dir.dirs.has(s))]
  const first = new Map(segs.map(s => [s, standIn(s)]))
  const taken = (name: string, seg: string): boolean => [...first].some(([s, n]) => s !== seg && n === name)
  const final = (seg: string): string => {
    const name = first.get(seg) as string
    return name !== seg && taken(name, seg) ? hashed(name, seg) : name
  }
  return {
    files: new Map([...dir.files].filter(([s]) => !dir.dirs.has(s)).map(([s, b]) => [final(s), b])),
    dirs: new Map([...dir.dirs].map(([s, d]) => [final(s), d]))
  }
}

/** What the mount must show for a set of live keys: files with hashes, and directories. */
export function expected (state: State): { files: Record<string, string>, dirs: string[] } {
  const root: Dir = { files: new Map(), dirs: new Map() }
  for (const [key, body] of state) {
    const segs = key.split('/')
    const last = segs.pop() as string
    let d = root
    for (const seg of segs) {
      if (!d.dirs.has(seg)) d.dirs.set(seg, { files: new Map(), dirs: new Map() })
      d = d.dirs.get(seg) as Dir
    }
    if (last !== '') d.files.set(last, body)
  }
  const files: Record<string, string> = {}
  const dirs: string[] = []
  const visit = (dir: Dir, path: string): void => {
    const named = nameDir(dir)
    for (const [name, body] of named.files) files[path + name] = sha(body)
    for (const [name, child] of named.dirs) {
      dirs.push(path + name)
      visit(child, path + name + '/')
    }
  }
  visit(root, '')
  return { files, dirs: dirs.sort() }
}
