import { InfinError } from '../core/errors.js'
import type { Version } from '../core/versions.js'
import type { Job } from './scheduler.js'

/** One version's bytes as the cache sees them. */
export interface CachedFile {
  bucket: string
  version: Version
  /** Names these exact bytes: block keys start with it. */
  id: string
}

export function cachedFile (bucket: string, version: Version): CachedFile {
  const base = `${bucket}\0${version.key}\0${version.versionId}`
  // A 'null' version is overwritten in place while versioning is suspended:
  // the same id then names other bytes, told apart by time, ETag and size.
  const id = version.versionId === 'null'
    ? `${base}\0${version.lastModified}\0${version.etag}\0${version.size}`
    : base
  return { bucket, version, id }
}

export function describe (file: CachedFile): string {
  return `s3://${file.bucket}/${file.version.key} (version ${file.version.versionId})`
}

/** A run of blocks loaded by one GET; a handle keeps its readahead parts to cancel them. */
export interface Part {
  file: CachedFile
  from: number
  to: number
  job?: Job
  owner?: Set<Part>
}

/** Names block `i` of a file in the caches. */
export function blockKey (file: CachedFile, i: number): string {
  return `${file.id}\0${i}`
}

export function wrongSize (file: CachedFile, start: number, end: number, how: string): InfinError {
  return new InfinError('Corrupt',
    `S3 returned ${how} bytes than the ${end - start} asked for at ${start} of ${describe(file)}: the version is not the size its listing says`)
}

export function stalled (file: CachedFile, ms: number, controller: AbortController): InfinError {
  const e = new InfinError('Unavailable', `reading ${describe(file)} from S3 stalled for ${ms} ms`)
  controller.abort(e)
  return e
}

export function asDomainError (e: unknown, file: CachedFile): InfinError {
  if (e instanceof InfinError) return e
  const why = e instanceof Error ? e.message : String(e)
  return new InfinError('Unavailable', `cannot read ${describe(file)}: ${why}`, { cause: e })
}
