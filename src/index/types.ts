import type { TimeSpec } from '../core/timespec.js'
import type { Change, Version } from '../core/versions.js'
import type { Dialect } from './sql.js'

/** A file of a view: its name below the listed prefix, its key, the version shown. */
export interface FileEntry { seg: string, key: string, version: Version }
/** A subdirectory with some key live in the view; `prefix` ends in '/'. */
export interface DirEntry { seg: string, prefix: string }

/** Part of a long answer. Pass `next` back as `after` for the rest; none means that was all. */
export interface Page<T> { items: T[], next?: string }

export interface PageOptions {
  /** Continue after this point (a previous page's `next`). */
  after?: string
  /** At most this many items (default 1000). */
  limit?: number
}

/** One directory of a view, or part of it, in key order. */
export interface DirPage {
  files: FileEntry[]
  dirs: DirEntry[]
  /** A live 'dir/' key holding the directory open (first page only). */
  marker?: Version
  next?: string
}

export interface KeyHistory { key: string, versions: Version[] }

/** Live objects and bytes at T, and versions and delete markers written up to T. */
export interface IndexSummary {
  liveObjects: number
  liveBytes: number
  versions: number
  deleteMarkers: number
  /** Earliest versioned write up to T: before it, overwritten or deleted data is gone. */
  horizon?: number
}

/** What the index holds for one bucket: for status displays and coverage checks. */
export interface IndexedBucket {
  bucket: string
  /** The S3 service it was swept from (endpoint.ts); none: unknown (an index from before this was recorded). */
  endpoint?: string
  /** Versioning as the last sweep found it; only 'Enabled' history is final. */
  versioning?: string
  /** Views at or before this time (ms) are complete in the index; none until a sweep completes. */
  watermark?: number
  lastSweep?: number
  /** Event time of the newest S3 event applied. */
  lastEvent?: number
  /** As of the last sweep, moved by events since. */
  versions: number
  deleteMarkers: number
  liveObjects: number
  liveBytes: number
  horizon?: number
  /** A sweep under way or interrupted (it resumes from `marker`). */
  sweep?: { pages: number, versions: number, marker?: string, started?: number, owner?: string, heartbeat?: number }
}

/**
 * Answers from the persistent history index, in the types the engine
 * uses. Each answer equals what the engine's live path gives for the same
 * view, as long as `covers` says the index is complete for that view.
 * Views are TimeSpecs: a time, a slice (live at its end, written after its
 * start), or latest (as of the index's last write; never covered).
 */
export interface HistoryIndex {
  readonly engine: Dialect
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string
  buckets: () => Promise<IndexedBucket[]>
  bucket: (name: string) => Promise<IndexedBucket | undefined>
  /**
   * True when the view is complete in the index: the bucket's history up to
   * the view's end is final and was swept from `endpoint` (endpoint.ts), the
   * S3 service the asker talks to.
   */
  covers: (bucket: string, spec: TimeSpec, endpoint: string) => Promise<boolean>
  /** The version of `key` in the view, if it has one. */
  stat: (bucket: string, key: string, spec: TimeSpec) => Promise<Version | undefined>
  /** Every entry of `key`, newest first, and whether other keys continue it with '/'. */
  history: (bucket: string, key: string) => Promise<{ versions: Version[], isDir: boolean }>
  /** Files directly under `prefix` (delimiter '/') and subdirectories with a key in the view. */
  readDir: (bucket: string, prefix: string, spec: TimeSpec, page?: PageOptions) => Promise<DirPage>
  /** True when some key under `prefix` is in the view. */
  dirExists: (bucket: string, prefix: string, spec: TimeSpec) => Promise<boolean>
  /** Every key under `prefix` in the view, in key order; with a slice spec, the slice. */
  walk: (bucket: string, prefix: string, spec: TimeSpec, page?: PageOptions) => Promise<Page<FileEntry>>
  /** Added, modified and deleted keys under `prefix` between two views, in key order. */
  diff: (bucket: string, a: TimeSpec, b: TimeSpec, prefix: string, page?: PageOptions) => Promise<Page<Change>>
  /** Every key's whole history under `prefix`, in key order (`limit` counts keys). */
  histories: (bucket: string, prefix: string, page?: PageOptions) => Promise<Page<KeyHistory>>
  /** Counts of the view at `t` (a time), exact, read in bounded steps. */
  summary: (bucket: string, t: number) => Promise<IndexSummary>
  close: () => Promise<void>
}
