import { InfinError } from '../core/errors.js'
import { LABELS_DIR } from '../tree/paths.js'
import type { TimeTree } from '../tree/time-tree.js'
import type { OpenFile, TreeEntry, TreeSource } from './source.js'

const S_IFMT = 0o170000
const S_IFDIR = 0o040000
const S_IFREG = 0o100000
const O_RDONLY = 0

function notFound (path: readonly string[], why: string): InfinError {
  return new InfinError('NotFound', `${path.join('/')} does not exist: ${why}`)
}

/**
 * The mount's own tree (src/fs/tree.ts) as the contents API sees it: the
 * same names, attributes and bytes, by path segments instead of mount
 * paths. Jupyter has no symbolic links, so the mount's `/@labels` links
 * are left out; a label is opened as `<bucket>/@<label>`.
 */
export function treeSource (tree: TimeTree): TreeSource {
  const mountPath = (path: readonly string[]): string => '/' + path.join('/')

  async function lookup (path: readonly string[]): Promise<TreeEntry> {
    if (path.some(name => name.includes('/') || name.includes('\0'))) throw notFound(path, 'no file name holds "/" or NUL')
    if (path[0] === LABELS_DIR) throw notFound(path, `labels are opened as <bucket>/@<label>; ${LABELS_DIR} holds links, which only the mount shows`)
    if (path.length >= 2 && !path[1].startsWith('@')) {
      throw notFound(path, `inside a bucket, paths start with @latest, @<time> or @<label>, e.g. ${path[0]}/@latest/${path.slice(1).join('/')}`)
    }
    const st = await tree.getattr(mountPath(path))
    const name = path.at(-1) ?? ''
    switch (st.mode & S_IFMT) {
      case S_IFDIR: return { kind: 'dir', name, mtime: st.mtime }
      case S_IFREG: return { kind: 'file', name, size: st.size, mtime: st.mtime }
      default: throw notFound(path, 'only the mount shows links')
    }
  }

  return {
    lookup,
    async list (path) {
      const names = await tree.readdir(mountPath(path))
      const shown = path.length === 0 ? names.filter(n => n !== LABELS_DIR) : names
      // Each lookup is answered from the listing just made; an entry that
      // vanished meanwhile (in a live view) is left out, not an error.
      const entries = await Promise.all(shown.map(async name => await lookup([...path, name]).catch(e => {
        if (e instanceof InfinError && e.code === 'NotFound') return undefined
        throw e
      })))
      return entries.filter((e): e is TreeEntry => e !== undefined)
    },
    async open (path): Promise<OpenFile> {
      const fd = await tree.openFile(mountPath(path), O_RDONLY)
      return {
        read: async (offset, length) => await tree.read(fd, offset, length),
        close: () => tree.release(fd)
      }
    }
  }
}
