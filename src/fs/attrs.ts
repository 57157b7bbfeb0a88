import type { TreeNode } from '../tree/nodes.js'

/** File attributes in the shape fuse-native expects (times in ms). */
export interface Stat {
  mode: number
  uid: number
  gid: number
  size: number
  nlink: number
  mtime: number
  atime: number
  ctime: number
  blocks: number
  blksize: number
}

export interface Owner { uid: number, gid: number }

const S_IFDIR = 0o040000
const S_IFREG = 0o100000
const S_IFLNK = 0o120000
/** A hint for the I/O size tools like cp use: one FUSE read. */
const BLKSIZE = 128 * 1024

/**
 * A tree node as a `struct stat`. Everything is read-only (a view of the
 * past cannot be changed) and belongs to the user who mounted.
 */
export function toStat (node: TreeNode, owner: Owner): Stat {
  const [mode, size, nlink] = node.kind === 'dir'
    ? [S_IFDIR | 0o555, 4096, 2]
    : node.kind === 'file'
      ? [S_IFREG | 0o444, node.size, 1]
      : [S_IFLNK | 0o777, Buffer.byteLength(node.target), 1]
  return {
    mode, uid: owner.uid, gid: owner.gid, size, nlink, mtime: node.mtime, atime: node.mtime, ctime: node.mtime,
    blocks: Math.ceil(size / 512), blksize: BLKSIZE
  }
}
