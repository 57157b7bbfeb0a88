import { Readable } from 'node:stream'
import type { DirEntry, DirReply, FilesReply } from '../../core/api-types.js'
import { historyNote, type HistoryNote } from '../../core/history-note.js'
import { nameEntries, segmentName } from '../../core/names.js'
import { versionJson, type Version } from '../../core/versions.js'
import type { Engine, View } from '../../engine/engine.js'
import type { Reply, Request, Router } from '../../server/http.js'
import { contentDisposition, UNTRUSTED_CONTENT } from '../../server/untrusted.js'
import { contentType } from './content-type.js'
import type { DashboardDeps } from './deps.js'
import { bucketParam, dirKey, pageOf, pageParams, query, relPath, required, viewJson } from './params.js'
import type { Snapshots } from './snapshots.js'

const BUCKET = String.raw`\/api\/infinstor\/buckets\/([^/]+)`

async function viewOf (engine: Engine, req: Request): Promise<View> {
  return await engine.view(bucketParam(req), query(req, 'spec') ?? 'latest')
}

/** `{ history }` when the view's time is before the bucket's history begins, else nothing. */
async function historyOf (engine: Engine, view: View): Promise<{ history?: HistoryNote }> {
  const horizon = await engine.beforeHorizon(view)
  return horizon === undefined ? {} : { history: historyNote(view.bucket, view.name, horizon) }
}

/** The plain path of a view's directory in a mount (see core/names.ts for odd segments). */
export function mountPathOf (mountPoint: string, view: View, dirPath: string): string {
  const segs = dirPath === '' ? [] : dirPath.replace(/\/$/, '').split('/').map(segmentName)
  return [mountPoint.replace(/\/+$/, ''), view.bucket, '@' + view.name, ...segs].join('/')
}

/** Browsing a view: one directory a page at a time, a flat list (slices), and a version's bytes. */
export function browseRoutes (router: Router, { engine, mountPoint }: DashboardDeps, snapshots: Snapshots): void {
  router.get(new RegExp(`^${BUCKET}/dir$`), async req => {
    const { snapshot, meta, items } = await snapshots.get(req, async () => {
      const view = await viewOf(engine, req)
      const prefix = dirKey(view, relPath(req))
      const dir = await engine.readDir(view, prefix)
      const { named } = nameEntries([
        ...dir.dirs.map(d => ({ seg: d.seg, kind: 'dir' as const, key: d.prefix.slice(view.root.length), version: undefined })),
        ...dir.files.map(f => ({ seg: f.seg, kind: 'file' as const, key: f.key.slice(view.root.length), version: f.version }))
      ])
      const path = prefix.slice(view.root.length)
      return {
        meta: {
          view: viewJson(view),
          path,
          mountPath: mountPathOf(mountPoint, view, path),
          exists: dir.exists,
          ...await historyOf(engine, view)
        },
        items: [...named.filter(e => e.kind === 'dir'), ...named.filter(e => e.kind === 'file')]
      }
    })
    const page = pageParams(req)
    const json: DirReply = {
      ...meta,
      snapshot,
      total: items.length,
      offset: page.offset,
      entries: pageOf(items, page).map((e): DirEntry => e.version === undefined
        ? { name: e.name, type: 'dir', key: e.key }
        // The key shown is relative to the view's root, like the path.
        : { ...versionJson(e.version), name: e.name, type: 'file', key: e.key })
    }
    return { json }
  })

  router.get(new RegExp(`^${BUCKET}/files$`), async req => {
    const { snapshot, meta, items } = await snapshots.get(req, async () => {
      const view = await viewOf(engine, req)
      const files = (await engine.walk(view, dirKey(view, relPath(req)))).filter(f => !f.key.endsWith('/'))
      return {
        meta: { view: viewJson(view), totalBytes: files.reduce((n, f) => n + f.version.size, 0), ...await historyOf(engine, view) },
        items: files.map(f => ({ key: f.key.slice(view.root.length), version: f.version }))
      }
    })
    const page = pageParams(req)
    const json: FilesReply = {
      ...meta,
      snapshot,
      total: items.length,
      offset: page.offset,
      entries: pageOf(items, page).map(f => ({ ...versionJson(f.version), key: f.key }))
    }
    return { json }
  })

  router.get(new RegExp(`^${BUCKET}/object$`), async req => {
    const view = await viewOf(engine, req)
    const key = required(req, 'key')
    const v = await engine.stat(view, view.root + key)
    return objectReply(engine, view, v, req)
  })
}

function objectReply (engine: Engine, view: View, v: Version, req: Request): Reply {
  const name = v.key.slice(v.key.lastIndexOf('/') + 1)
  const headers: Record<string, string> = {
    'Last-Modified': new Date(v.lastModified).toUTCString(),
    ETag: v.etag,
    'X-Infinstor-Version-Id': v.versionId,
    'Accept-Ranges': 'bytes',
    ...UNTRUSTED_CONTENT,
    'Cache-Control': 'private, max-age=3600'
  }
  if (query(req, 'download') === '1') headers['Content-Disposition'] = contentDisposition('attachment', name)
  let start = 0
  let end = v.size
  let status = 200
  const range = parseRange(req.headers.range, v.size)
  if (range !== undefined) {
    if (range === 'unsatisfiable') {
      return { status: 416, headers: { ...headers, 'Content-Range': `bytes */${v.size}` }, body: '', type: 'text/plain' }
    }
    ;[start, end] = range
    status = 206
    headers['Content-Range'] = `bytes ${start}-${end - 1}/${v.size}`
  }
  return { status, headers, stream: Readable.from(engine.readChunks(view.bucket, v, start, end)), type: contentType(name), length: end - start }
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; others are ignored (whole body), as HTTP allows. */
export function parseRange (header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (m === null || (m[1] === '' && m[2] === '')) return undefined
  let start: number
  let end: number
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]))
    end = size
  } else {
    start = Number(m[1])
    end = m[2] === '' ? size : Math.min(size, Number(m[2]) + 1)
  }
  if (start >= size || start >= end) return 'unsatisfiable'
  return [start, end]
}
