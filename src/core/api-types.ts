/**
 * The replies of the InfinStor HTTP API (`/api/infinstor/*`), as they go
 * over the wire. The server (src/dashboard/api) builds them and the
 * dashboard (src/ui) and the JupyterLab drive (src/labext) read them, all
 * from this one declaration. Types only: times are ISO 8601 text in UTC.
 */
import type { HistoryNote } from './history-note.js'
import type { LabelRecord } from './label-record.js'
import type { VersioningState, VersionJson } from './versions.js'

export type { HistoryNote, LabelRecord, VersioningState, VersionJson }

/** GET /info: who this server is and what it talks to (never credentials). */
export interface InfoReply {
  name: 'infinstor'
  version: string
  endpoint: string
  region?: string
  /** Where credentials come from: 'env', 'profile:NAME' or 'default chain'. */
  credentialSource: string
  labelStore: string | null
  mountPoint?: string
  /** Where the S3 gateway beside this server listens (null: none runs beside it). */
  s3Gateway: string | null
  /** S3 requests this server has sent, by operation. */
  s3Requests: Record<string, number>
}

/** GET /buckets: one row per bucket ('Unknown' when its state could not be read). */
export interface BucketRow { name: string, created: string | null, versioning: VersioningState | 'Unknown' }

/** GET /buckets/B: counts now, and where history begins. */
export interface BucketSummary {
  bucket: string
  versioning: VersioningState
  /** The earliest versioned write: before it, overwritten or deleted data is gone. */
  horizon: string | null
  liveObjects: number
  liveBytes: number
  versions: number
  deleteMarkers: number
  /** The bucket in the history index, when it is indexed. */
  index?: IndexStatus
}

/** A bucket's place in the history index (`infinstor index --status --json`, and the dashboard). */
export interface IndexStatus {
  bucket: string
  engine: 'sqlite' | 'postgres'
  /** The SQLite file, or the PostgreSQL URL without its password. */
  location: string
  /** The S3 service the bucket was swept from ('aws', or the endpoint URL); none: unknown, from an older index. */
  endpoint?: string
  /**
   * False when that is not the asker's S3 service (or is unknown): a bucket
   * of the same name elsewhere, so its views read S3 until it is swept here.
   * Absent when the asker's service is not known (no S3 client at hand).
   */
  sameEndpoint?: boolean
  versioning?: string
  versions: number
  deleteMarkers: number
  liveObjects: number
  liveBytes: number
  horizon?: string
  /** Views at or before this time come from the index; none until a sweep completes. */
  watermark?: string
  /** How far the watermark is behind now, in ms. */
  lagMs?: number
  lastSweep?: string
  lastEvent?: string
  /** A sweep under way or interrupted. */
  sweep?: { pages: number, versions: number, marker?: string, started?: string, owner?: string, heartbeat?: string }
}

/** PUT /buckets/B/versioning */
export interface VersioningReply { versioning: VersioningState }

/** The view a reply was computed from. */
export interface ViewInfo {
  bucket: string
  /** '' or the prefix a label roots its view at. */
  root: string
  /** The canonical spec, or the label name given. */
  spec: string
  kind: 'latest' | 'at' | 'slice'
  t?: string
  from?: string
  to?: string
  /** Set when the view was named by a label. */
  label?: string
}

/** A page of a computed list; later pages pass `snapshot` back, so they are cut from the same list. */
export interface PageInfo { snapshot: string, total: number, offset: number }

/** One entry of a directory: a subdirectory, or a file with its version (`key` is relative to the view's root). */
export type DirEntry =
  | { name: string, type: 'dir', key: string }
  | (VersionJson & { name: string, type: 'file' })

/** GET /buckets/B/dir */
export interface DirReply extends PageInfo {
  view: ViewInfo
  path: string
  mountPath: string
  exists: boolean
  /** Present when the view's time is before the bucket's history begins. */
  history?: HistoryNote
  entries: DirEntry[]
}

/** GET /buckets/B/files: every file of a view under a path (`key` relative to the view's root). */
export interface FilesReply extends PageInfo {
  view: ViewInfo
  totalBytes: number
  /** Present when the view's time is before the bucket's history begins. */
  history?: HistoryNote
  entries: VersionJson[]
}

export type ChangeKind = 'added' | 'modified' | 'deleted'

export interface ChangeRow { key: string, change: ChangeKind, before?: VersionJson, after?: VersionJson }

/** GET /buckets/B/diff */
export interface DiffReply extends PageInfo {
  a: ViewInfo
  b: ViewInfo
  root: string
  counts: Record<ChangeKind, number>
  changes: ChangeRow[]
}

export interface TimelineBin { t: string, writes: number, deletes: number }

/** GET /buckets/B/timeline */
export interface TimelineReply {
  path: string
  /** The bins cover [from, to]: by default the activity (first to last write or delete, a little padded). */
  from: string
  to: string
  /** The first and last write or delete under the path (null: none), and the server's time now. */
  first: string | null
  last: string | null
  now: string
  binMs: number
  total: { writes: number, deletes: number }
  bins: TimelineBin[]
}

/** GET /specs: spec text checked and made canonical; a label also says what it names. */
export interface SpecReply {
  canonical: string
  kind: 'latest' | 'at' | 'slice' | 'label'
  t?: string
  from?: string
  to?: string
  bucket?: string
  prefix?: string
  spec?: string
}

/** DELETE /labels/NAME */
export type DeletedLabelReply = LabelRecord & { deleted: true }

/** Every error: Jupyter's shape, with the domain error's code as `reason`. */
export interface ErrorReply { message: string, reason: string }
