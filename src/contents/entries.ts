import { InfinError } from '../core/errors.js'
import type { TreeNode } from '../tree/nodes.js'
import { LABELS_DIR } from '../tree/paths.js'
import type { TimeTree } from '../tree/time-tree.js'

/** What the contents API shows: directories and files. Jupyter has no symbolic links. */
export type ContentsEntry = Exclude<TreeNode, { kind: 'link' }>

function notFound (path: readonly string[], why: string): InfinError {
  return new InfinError('NotFound', `${path.join('/')} does not exist: ${why}`)
}

/**
 * An entry of the mount's own tree, by path segments, with the same names,
 * attributes and bytes. The mount's `/@labels` links are left out; a label
 * is opened as `<bucket>/@<label>`.
 */
export async function lookupEntry (tree: TimeTree, path: readonly string[]): Promise<ContentsEntry> {
  if (path.some(name => name.includes('/') || name.includes('\0'))) throw notFound(path, 'no file name holds "/" or NUL')
  if (path[0] === LABELS_DIR) throw notFound(path, `labels are opened as <bucket>/@<label>; ${LABELS_DIR} holds links, which only the mount shows`)
  if (path.length >= 2 && !path[1].startsWith('@')) {
    throw notFound(path, `inside a bucket, paths start with @latest, @<time> or @<label>, e.g. ${path[0]}/@latest/${path.slice(1).join('/')}`)
  }
  const node = await tree.lookup(path)
  if (node.kind === 'link') throw notFound(path, 'only the mount shows links')
  return node
}

/** A directory's entries, without the mount's links. */
export async function listEntries (tree: TimeTree, path: readonly string[]): Promise<ContentsEntry[]> {
  return (await tree.list(path)).filter((n): n is ContentsEntry => n.kind !== 'link' && !(path.length === 0 && n.name === LABELS_DIR))
}
