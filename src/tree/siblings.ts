import { LRUCache } from 'lru-cache'
import type { Version } from '../core/versions.js'

/** A folder's files in the order a program lists them, and where each name is in it. */
export interface FileOrder {
  versions: readonly Version[]
  index: ReadonlyMap<string, number>
}

export interface SiblingOptions {
  /** Files fetched ahead of the one opened. */
  ahead: number
  /** Only files up to this size are fetched ahead. */
  maxBytes: number
  /** Fetches a whole version in the background (Reader.prefetch). */
  prefetch: (bucket: string, version: Version) => void
}

/**
 * Where a folder's reader was, how far its files were fetched ahead, and
 * whether the caller was told to go on into the next folder.
 */
interface Progress { last: number, fetchedTo: number, onward: boolean }

/**
 * Reads ahead across the files of a folder. A program that reads a
 * folder's files one after another in name order (a data loader going
 * through shards or images, `cat *`, `cp -r`) waits for one GET per file,
 * and a GET's latency, not bandwidth, sets its pace. Once two files in a
 * row were opened in that order, the next `ahead` small files are fetched
 * in the background, each as one GET: the reader's readahead takes only
 * idle GET slots, so no read waits behind a guess. A file up to the
 * reader's first readahead is fetched whole by its first read anyway, so
 * a right guess costs no extra bytes, and a wrong one at most `ahead`
 * small GETs. A data set split into folders (shards, classes) is read
 * folder after folder: when the window reaches a folder's last file, the
 * caller may list the next folder and hand it over (`entered`), so that
 * the program finds its listing made and its first files fetched.
 */
export class SiblingReadahead {
  private readonly folders = new LRUCache<string, Progress>({ max: 1024 })

  constructor (private readonly opts: SiblingOptions) {}

  /**
   * File `name` of the folder `folder` (of a settled view) was opened.
   * True once per folder: the files fetched ahead reached its last file in
   * order, so the program is likely to go on into the next folder.
   */
  opened (folder: string, bucket: string, order: FileOrder, name: string): boolean {
    const at = order.index.get(name)
    if (at === undefined) return false
    const prev = this.folders.get(folder)
    if (prev?.last === at) return false
    const inOrder = prev !== undefined && at === prev.last + 1
    let next = inOrder ? Math.max(prev.fetchedTo, at + 1) : at + 1
    let onward = prev?.onward ?? false
    let goOn = false
    if (inOrder) {
      const end = Math.min(order.versions.length, at + 1 + this.opts.ahead)
      next = this.fetch(bucket, order, next, end)
      goOn = !onward && end === order.versions.length
      onward ||= goOn
    }
    this.folders.set(folder, { last: at, fetchedTo: next, onward })
    return goOn
  }

  /**
   * The program is expected to read `folder` from its first file on (the
   * folder before it was read in order to its end): its first files are
   * fetched now, and opening its first file continues the order. A folder
   * already being read is left as it is.
   */
  entered (folder: string, bucket: string, order: FileOrder): void {
    if (this.folders.has(folder)) return
    const fetchedTo = this.fetch(bucket, order, 0, Math.min(order.versions.length, this.opts.ahead))
    this.folders.set(folder, { last: -1, fetchedTo, onward: false })
  }

  /** Fetches the small files of `order` from `from` up to `end`; returns `end`. */
  private fetch (bucket: string, order: FileOrder, from: number, end: number): number {
    for (let i = from; i < end; i++) {
      const v = order.versions[i]
      if (v.size > 0 && v.size <= this.opts.maxBytes) this.opts.prefetch(bucket, v)
    }
    return Math.max(from, end)
  }
}
