/** One entry of the time-travel tree, named exactly as the mount names it. */
export type TreeEntry =
  | { kind: 'dir', name: string, mtime: number }
  | { kind: 'file', name: string, size: number, mtime: number }

/** An open file: reads return exactly `length` bytes except at the end. */
export interface OpenFile {
  read: (offset: number, length: number) => Promise<Buffer>
  close: () => void
}

/**
 * What the contents API needs from the tree the mount serves: lookups,
 * listings and reads by file-name path (segments from the root). Failures
 * are InfinErrors (NotFound for unknown buckets, labels, specs and keys
 * missing at T). A file opened right after its lookup has the size the
 * lookup gave, even in a live view.
 */
export interface TreeSource {
  lookup: (path: readonly string[]) => Promise<TreeEntry>
  list: (path: readonly string[]) => Promise<TreeEntry[]>
  open: (path: readonly string[]) => Promise<OpenFile>
}
