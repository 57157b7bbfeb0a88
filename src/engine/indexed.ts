import type { IndexStatus } from '../core/api-types.js'
import type { TimeSpec } from '../core/timespec.js'
import type { Change } from '../core/versions.js'
import { indexStatus } from '../index/status.js'
import type { DirPage, FileEntry, HistoryIndex, Page, PageOptions } from '../index/types.js'

/** Opens the history index when first needed; undefined when there is none. */
export type IndexLoader = () => Promise<HistoryIndex | undefined>

/** What a directory of a view holds, gathered from the index's pages. */
export interface IndexedDir extends Omit<DirPage, 'next'> {}

/** Every item of a paged answer, page after page (each page is one short statement). */
async function drain<T> (page: (opts: PageOptions) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = []
  for (let after: string | undefined, first = true; first || after !== undefined; first = false) {
    const p = await page({ after })
    out.push(...p.items)
    after = p.next
  }
  return out
}

/**
 * The engine's way into the history index: opened once, on first use, and
 * asked for a view only when it covers it (the bucket's history up to the
 * view's end is final and swept). Without an index, or for views it does
 * not cover (latest, recent times, buckets not indexed), every answer
 * comes from live listings, as before.
 */
export class IndexedHistory {
  private opened: Promise<HistoryIndex | undefined> | undefined

  /** `endpoint`: the engine's S3 service (index/endpoint.ts); the index answers only for buckets swept from it. */
  constructor (private readonly load: IndexLoader, private readonly endpoint: string) {}

  /** The index, if it covers every one of `specs` of `bucket` on this endpoint. */
  async covering (bucket: string, ...specs: TimeSpec[]): Promise<HistoryIndex | undefined> {
    if (specs.some(s => s.kind === 'latest')) return undefined
    this.opened ??= this.load()
    const index = await this.opened
    if (index === undefined) return undefined
    for (const spec of specs) if (!await index.covers(bucket, spec, this.endpoint)) return undefined
    return index
  }

  /** The bucket's state in the index, if there is an index and it holds the bucket (from this endpoint or another). */
  async status (bucket: string): Promise<IndexStatus | undefined> {
    this.opened ??= this.load()
    const index = await this.opened
    const b = await index?.bucket(bucket)
    return index === undefined || b === undefined ? undefined : indexStatus(index, b, this.endpoint)
  }

  async readDir (index: HistoryIndex, bucket: string, prefix: string, spec: TimeSpec): Promise<IndexedDir> {
    const dir: IndexedDir = { files: [], dirs: [] }
    for (let after: string | undefined, first = true; first || after !== undefined; first = false) {
      const p = await index.readDir(bucket, prefix, spec, { after })
      dir.files.push(...p.files)
      dir.dirs.push(...p.dirs)
      dir.marker ??= p.marker
      after = p.next
    }
    return dir
  }

  async walk (index: HistoryIndex, bucket: string, prefix: string, spec: TimeSpec): Promise<FileEntry[]> {
    return await drain(async opts => await index.walk(bucket, prefix, spec, opts))
  }

  async diff (index: HistoryIndex, bucket: string, a: TimeSpec, b: TimeSpec, prefix: string): Promise<Change[]> {
    return await drain(async opts => await index.diff(bucket, a, b, prefix, opts))
  }

  async close (): Promise<void> {
    const index = await this.opened?.catch(() => undefined)
    await index?.close()
  }
}
