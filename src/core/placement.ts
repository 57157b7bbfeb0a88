import { nameEntries } from './names.js'

export interface Placed<T> {
  /** File-name segments from the root, mapped by names.ts. */
  path: string[]
  item: T
}

export interface Placement<T> {
  files: Array<Placed<T>>
  /** Every directory, including empty ones held open by 'dir/' markers. */
  dirs: string[][]
  /** Files hidden by a directory of the same name. */
  shadowed: T[]
}

interface Node<T> {
  files: Map<string, T>
  dirs: Map<string, Node<T>>
}

/**
 * Lays out flat keys (relative to a root prefix) as a tree of file names,
 * with the same rules as a directory listing: odd segments mapped, a
 * directory hiding a file of the same name, 'dir/' keys making directories.
 */
export function placeKeys<T extends { rel: string }> (items: readonly T[]): Placement<T> {
  const root: Node<T> = { files: new Map(), dirs: new Map() }
  for (const item of items) {
    const segs = item.rel.split('/')
    const last = segs.pop() as string
    let node = root
    for (const seg of segs) {
      let child = node.dirs.get(seg)
      if (child === undefined) {
        child = { files: new Map(), dirs: new Map() }
        node.dirs.set(seg, child)
      }
      node = child
    }
    if (last !== '') node.files.set(last, item)
  }
  const out: Placement<T> = { files: [], dirs: [], shadowed: [] }
  const visit = (node: Node<T>, path: string[]): void => {
    const entries = [
      ...[...node.files].map(([seg, item]) => ({ seg, kind: 'file' as const, item, node: undefined })),
      ...[...node.dirs].map(([seg, child]) => ({ seg, kind: 'dir' as const, item: undefined, node: child }))
    ]
    const { named, shadowed } = nameEntries(entries)
    for (const s of shadowed) out.shadowed.push(s.item as T)
    for (const e of named) {
      if (e.kind === 'file') {
        out.files.push({ path: [...path, e.name], item: e.item as T })
      } else {
        out.dirs.push([...path, e.name])
        visit(e.node as Node<T>, [...path, e.name])
      }
    }
  }
  visit(root, [])
  return out
}
