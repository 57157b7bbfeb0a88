import { hash8 } from '../core/names.js'
import type { Version } from '../core/versions.js'

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

function stat (owner: Owner, mode: number, size: number, nlink: number, mtime: number): Stat {
  return {
    mode, uid: owner.uid, gid: owner.gid, size, nlink, mtime, atime: mtime, ctime: mtime,
    blocks: Math.ceil(size / 512), blksize: BLKSIZE
  }
}

/** Everything is read-only: a view of the past cannot be changed. */
export function dirStat (owner: Owner, mtime: number): Stat {
  return stat(owner, S_IFDIR | 0o555, 4096, 2, mtime)
}

export function fileStat (owner: Owner, size: number, mtime: number): Stat {
  return stat(owner, S_IFREG | 0o444, size, 1, mtime)
}

export function linkStat (owner: Owner, target: string, mtime: number): Stat {
  return stat(owner, S_IFLNK | 0o777, Buffer.byteLength(target), 1, mtime)
}

/**
 * A version's mtime: its LastModified. S3 keeps whole seconds, so two
 * versions of one size written in the same second would look identical to
 * the kernel's cache check, which would then keep the old pages. The
 * otherwise empty milliseconds carry a digest of the version instead.
 */
export function versionMtime (v: Version): number {
  if (v.lastModified % 1000 !== 0) return v.lastModified
  return v.lastModified + parseInt(hash8(`${v.versionId}\0${v.etag}`), 16) % 1000
}
