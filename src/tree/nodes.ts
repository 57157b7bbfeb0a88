import { hash8 } from '../core/names.js'
import type { Version } from '../core/versions.js'

/**
 * What the tree says about a path: its kind, name and what a listing shows
 * of it. Surfaces turn it into their own vocabulary (the mount into a
 * `struct stat`, the contents API into a model).
 */
export type TreeNode =
  | { kind: 'dir', name: string, mtime: number }
  | { kind: 'file', name: string, size: number, mtime: number, version: Version }
  | { kind: 'link', name: string, target: string, mtime: number }

/** An open file: reads return exactly `length` bytes except at the end. */
export interface TreeFile {
  read: (offset: number, length: number) => Promise<Buffer>
  /**
   * Like read, but copies the bytes into `target` (a FUSE read's buffer)
   * and says how many. Once `answered()` is true nothing is copied: the
   * caller's memory may then serve another request. Bytes already in
   * memory are copied at once, with no promise to wait for.
   */
  readInto: (target: Uint8Array, offset: number, answered: () => boolean) => number | Promise<number>
  close: () => void
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
