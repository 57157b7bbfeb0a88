/** The dashboard's view of /api/infinstor/*: typed calls, and errors that say how to fix them. */
import type {
  BucketRow, BucketSummary as Summary, ChangeRow, DiffReply, DirEntry as Entry, DirReply, FilesReply, InfoReply as Info,
  LabelRecord as Label, SpecReply as SpecInfo, TimelineReply as Timeline, VersionJson, ViewInfo
} from '../../core/api-types'
import { reached, unreachable } from './connection'

export type { BucketRow, ChangeRow, Entry, Info, SpecInfo, Summary, Timeline, ViewInfo }

/** A page of a list; later pages name the first page's `snapshot`, so they are cut from the same list. */
export interface Paged<T> { total: number, offset: number, items: T[], snapshot?: string }

export type DirPage = Omit<DirReply, 'entries'> & Paged<Entry>
export type FileRow = VersionJson
export type FilesPage = Omit<FilesReply, 'entries'> & Paged<FileRow>
export type VersionInfo = VersionJson
export type DiffPage = Omit<DiffReply, 'changes'> & Paged<ChangeRow>

/** A label as the API returns it: its stored form. */
export type { Label }

/** What to do about each kind of failure, shown under the server's own message. */
const FIXES: Record<string, string> = {
  AccessDenied: 'Check that the credentials InfinStor runs with may do this (see Connection), or reload the page from the URL that `infinstor ui` printed if the token changed.',
  Unavailable: 'S3 did not answer in time. Check the endpoint on the Connection page and your network, then retry.',
  NotVersioned: 'Enable InfinSnap on the Buckets page: history is kept from then on.',
  BadSpec: 'Times are UTC, e.g. 2024-05-01T12:00:00Z; slices are A..B.',
  FutureTime: 'Pick a time up to now.',
  Network: 'The InfinStor server did not answer: is `infinstor ui` still running? This page tries again by itself.',
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

/** fetch, telling the connection watch whether the server answered. */
async function reach (url: string, init: RequestInit): Promise<Response> {
  try {
    const res = await fetch(url, { credentials: 'same-origin', ...init })
    reached()
    return res
  } catch (e) {
    unreachable()
    throw new ApiError(0, 'Network', `cannot reach the server: ${(e as Error).message}`)
  }
}

async function call<T> (path: string, init: RequestInit = {}): Promise<T> {
  const res = await reach('/api/infinstor' + path, init)
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
  const res = await reach(objectUrl(bucket, key, spec), { headers: { Range: `bytes=0-${bytes - 1}` } })
  if (!res.ok && res.status !== 416) {
    const body = await res.json().catch(() => ({})) as { reason?: string, message?: string }
    throw new ApiError(res.status, body.reason ?? 'Internal', body.message ?? `HTTP ${res.status}`)
  }
  const range = res.headers.get('content-range')
  const data = res.status === 416 ? new ArrayBuffer(0) : await res.arrayBuffer()
  const total = range === null ? data.byteLength : Number(range.split('/')[1])
  return { data, total }
}
