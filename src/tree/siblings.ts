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

/** Where a folder's reader was, and how far its files were fetched ahead. */
interface Progress { last: number, fetchedTo: number }

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
 * small GETs.
 */
export class SiblingReadahead {
  private readonly folders = new LRUCache<string, Progress>({ max: 1024 })

  constructor (private readonly opts: SiblingOptions) {}

  /** File `name` of the folder `folder` (of a settled view) was opened. */
  opened (folder: string, bucket: string, order: FileOrder, name: string): void {
    const at = order.index.get(name)
    if (at === undefined) return
    const prev = this.folders.get(folder)
    if (prev?.last === at) return
    const inOrder = prev !== undefined && at === prev.last + 1
    let next = inOrder ? Math.max(prev.fetchedTo, at + 1) : at + 1
    if (inOrder) {
      const end = Math.min(order.versions.length, at + 1 + this.opts.ahead)
      for (; next < end; next++) {
        const v = order.versions[next]
        if (v.size > 0 && v.size <= this.opts.maxBytes) this.opts.prefetch(bucket, v)
      }
    }
    this.folders.set(folder, { last: at, fetchedTo: next })
  }
}
