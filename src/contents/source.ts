import type { Version } from '../core/versions.js'

/** One entry of the time-travel tree, named exactly as the mount names it. */
export type TreeEntry =
  | { kind: 'dir', name: string, mtime: number }
  | { kind: 'file', name: string, bucket: string, version: Version }

/**
 * What the contents API needs from the tree the mount serves: lookups by
 * file-name path (segments from the root), listings and byte ranges.
 * Failures are InfinErrors (NotFound for unknown buckets, labels, specs
 * and keys missing at T).
 */
export interface TreeSource {
  lookup: (path: readonly string[]) => Promise<TreeEntry>
  list: (path: readonly string[]) => Promise<TreeEntry[]>
  read: (file: Extract<TreeEntry, { kind: 'file' }>, start: number, end: number, signal?: AbortSignal) => Promise<Buffer>
}
