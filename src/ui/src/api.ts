/** The dashboard's view of /api/infinstor/*: typed calls, and errors that say how to fix them. */
import type { LabelRecord as Label } from '../../core/label-record'

export interface Info {
  name: string
  version: string
  endpoint: string
  region?: string
  credentialSource: string
  labelStore: string | null
  mountPoint?: string
  /** Where the S3 gateway listens, when its port is fixed (null: a free port, named in the daemon's log). */
  s3Gateway: string | null
  s3Requests: Record<string, number>
}

export interface BucketRow { name: string, created: string | null, versioning: string }

export interface Summary {
  bucket: string
  versioning: 'Enabled' | 'Suspended' | 'Off'
  horizon: string | null
  liveObjects: number
  liveBytes: number
  versions: number
  deleteMarkers: number
}

export interface ViewInfo { bucket: string, root: string, spec: string, kind: string, t?: string, from?: string, to?: string, label?: string }

export interface Entry {
  name: string
  type: 'file' | 'dir'
  key: string
  size?: number
  lastModified?: string
  versionId?: string
  etag?: string
}

/** A page of a list; later pages name the first page's `snapshot`, so they are cut from the same list. */
export interface Paged<T> { total: number, offset: number, items: T[], snapshot?: string }

export interface DirPage extends Paged<Entry> { view: ViewInfo, path: string, mountPath: string, exists: boolean }

export interface FileRow { key: string, size: number, lastModified: string, versionId: string }
export interface FilesPage extends Paged<FileRow> { view: ViewInfo, totalBytes: number }

export interface VersionInfo { size: number, lastModified: string, versionId: string, etag: string }
export interface ChangeRow { key: string, change: 'added' | 'modified' | 'deleted', before?: VersionInfo, after?: VersionInfo }
export interface DiffPage extends Paged<ChangeRow> {
  a: ViewInfo
  b: ViewInfo
  counts: { added: number, modified: number, deleted: number }
}

export interface Timeline {
  from: string
  to: string
  binMs: number
  total: { writes: number, deletes: number }
  bins: Array<{ t: string, writes: number, deletes: number }>
}

export interface SpecInfo { canonical: string, kind: string, t?: string, from?: string, to?: string, bucket?: string, prefix?: string, spec?: string }

/** A label as the API returns it: its stored form. */
export type { Label }

/** What to do about each kind of failure, shown under the server's own message. */
const FIXES: Record<string, string> = {
  AccessDenied: 'Check that the credentials InfinStor runs with may do this (see Connection), or reload the page from the URL that `infinstor ui` printed if the token changed.',
  Unavailable: 'S3 did not answer in time. Check the endpoint on the Connection page and your network, then retry.',
  NotVersioned: 'Enable InfinSnap on the Buckets page: history is kept from then on.',
  BadSpec: 'Times are UTC, e.g. 2024-05-01T12:00:00Z; slices are A..B.',
  FutureTime: 'Pick a time up to now.',
  Network: 'The InfinStor server did not answer: is `infinstor ui` still running?',
  Corrupt: 'Nothing was changed. Restore the named file from a backup.'
}

export class ApiError extends Error {
  readonly status: number
  readonly reason: string
  readonly fix?: string
  constructor (status: number, reason: string, message: string) {
    super(message)
    this.status = status
    this.reason = reason
    this.fix = status === 401 ? 'Open the dashboard with the URL `infinstor ui` printed (it carries the token).' : FIXES[reason]
  }
}

async function call<T> (path: string, init: RequestInit = {}): Promise<T> {
  let res: Response
  try {
    res = await fetch('/api/infinstor' + path, { credentials: 'same-origin', ...init })
  } catch (e) {
    throw new ApiError(0, 'Network', `cannot reach the server: ${(e as Error).message}`)
  }
  const text = await res.text()
  let body: any
  try {
    body = text === '' ? undefined : JSON.parse(text)
  } catch {
    throw new ApiError(res.status, 'Internal', `unexpected reply (${res.status}): ${text.slice(0, 200)}`)
  }
  if (!res.ok) throw new ApiError(res.status, body?.reason ?? 'Internal', body?.message ?? `HTTP ${res.status}`)
  return body as T
}

function qs (params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v))
  const s = p.toString()
  return s === '' ? '' : '?' + s
}

const b = (bucket: string): string => `/buckets/${encodeURIComponent(bucket)}`

function paged<T> (raw: any, field: string): any {
  return { ...raw, items: raw[field] as T[] }
}

export const api = {
  info: async () => await call<Info>('/info'),
  buckets: async () => await call<BucketRow[]>('/buckets'),
  summary: async (bucket: string) => await call<Summary>(b(bucket)),
  setVersioning: async (bucket: string, enabled: boolean) => await call<{ versioning: string }>(b(bucket) + '/versioning', {
    method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ enabled })
  }),
  dir: async (bucket: string, path: string, spec: string, offset: number, limit: number, snapshot?: string): Promise<DirPage> =>
    paged<Entry>(await call(b(bucket) + '/dir' + qs({ path, spec, offset, limit, snapshot })), 'entries'),
  files: async (bucket: string, path: string, spec: string, offset: number, limit: number, snapshot?: string): Promise<FilesPage> =>
    paged<FileRow>(await call(b(bucket) + '/files' + qs({ path, spec, offset, limit, snapshot })), 'entries'),
  diff: async (bucket: string, a: string, bSpec: string, path: string, change: string | undefined, offset: number, limit: number, snapshot?: string): Promise<DiffPage> =>
    paged<ChangeRow>(await call(b(bucket) + '/diff' + qs({ a, b: bSpec, path, change, offset, limit, snapshot })), 'changes'),
  timeline: async (bucket: string, path: string, bins: number, from?: string, to?: string) =>
    await call<Timeline>(b(bucket) + '/timeline' + qs({ path, bins, from, to })),
  spec: async (text: string, bucket?: string) => await call<SpecInfo>('/specs' + qs({ text, bucket })),
  labels: async (bucket?: string) => await call<Label[]>('/labels' + qs({ bucket })),
  label: async (name: string) => await call<Label>('/labels/' + encodeURIComponent(name)),
  createLabel: async (l: { name: string, bucket: string, path: string, spec: string, description?: string }) =>
    await call<Label>('/labels', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(l) }),
  // The server refuses a delete without force=1: the page asks for confirmation first.
  deleteLabel: async (name: string) => await call<unknown>('/labels/' + encodeURIComponent(name) + '?force=1', { method: 'DELETE' })
}

/** URL of a version's bytes (for previews, images and downloads). */
export function objectUrl (bucket: string, key: string, spec: string, download = false): string {
  return '/api/infinstor' + b(bucket) + '/object' + qs({ key, spec, download: download ? 1 : undefined })
}

/** The first `bytes` bytes of a version, for previews. */
export async function objectHead (bucket: string, key: string, spec: string, bytes: number): Promise<{ data: ArrayBuffer, total: number }> {
  const res = await fetch(objectUrl(bucket, key, spec), { headers: { Range: `bytes=0-${bytes - 1}` } })
  if (!res.ok && res.status !== 416) {
    const body = await res.json().catch(() => ({})) as { reason?: string, message?: string }
    throw new ApiError(res.status, body.reason ?? 'Internal', body.message ?? `HTTP ${res.status}`)
  }
  const range = res.headers.get('content-range')
  const data = res.status === 416 ? new ArrayBuffer(0) : await res.arrayBuffer()
  const total = range === null ? data.byteLength : Number(range.split('/')[1])
  return { data, total }
}
