import type { Version } from '../core/versions.js'
import type { Engine } from '../engine/engine.js'
import type { Reader } from '../reader/types.js'
import { guessMimetype } from '../server/mime.js'
import { UNTRUSTED_CONTENT } from '../server/untrusted.js'
import { sendVersion } from './body.js'
import { preconditionStatus, rangeOf } from './conditions.js'
import { S3Error, toS3Error } from './errors.js'
import { objectScope, param, type Address } from './request.js'
import { sendEmpty, sendError, writeHead, type Exchange } from './reply.js'
import { openView } from './views.js'

/** Response header overrides a (presigned) GET may ask for. */
const OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
  'response-content-language': 'Content-Language',
  'response-cache-control': 'Cache-Control',
  'response-expires': 'Expires'
}

function quoted (etag: string): string {
  return etag.startsWith('"') ? etag : `"${etag}"`
}

function objectHeaders (x: Exchange, v: Version): Record<string, string> {
  const headers: Record<string, string> = {
    ETag: quoted(v.etag),
    'Last-Modified': new Date(v.lastModified).toUTCString(),
    'Accept-Ranges': 'bytes',
    'x-amz-version-id': v.versionId,
    'Content-Type': guessMimetype(v.key) ?? 'application/octet-stream',
    // Bucket bytes are untrusted: a presigned URL opened in a browser must not run as this origin.
    ...UNTRUSTED_CONTENT
  }
  for (const [name, header] of Object.entries(OVERRIDES)) {
    const value = param(x.target, name)
    if (value !== undefined) headers[header] = value
  }
  return headers
}

/**
 * HeadObject and GetObject: the version in effect in the view, with
 * conditional requests, ranges, and a body from the shared block cache.
 */
export async function getObject (x: Exchange, engine: Engine, reader: Reader, addr: Address & { bucket: string, key: string }): Promise<void> {
  const scope = objectScope(addr)
  const view = await openView(engine, addr.bucket, scope.viewText)
  if (scope.key === '') throw new S3Error(404, 'NoSuchKey', `no key named: '${addr.key}' names the view ${view.name} itself`, { details: { Key: addr.key } })
  let v: Version
  try {
    v = await engine.stat(view, view.root + scope.key)
  } catch (e) {
    const err = toS3Error(e, 'object')
    err.details.Key = addr.key
    throw err
  }
  const versionId = param(x.target, 'versionId')
  if (versionId !== undefined && versionId !== v.versionId) {
    throw new S3Error(404, 'NoSuchVersion', `version ${versionId} is not the version of '${addr.key}' in effect at ${view.name} (that is ${v.versionId})`,
      { details: { Key: addr.key, VersionId: versionId } })
  }
  const headers = objectHeaders(x, v)
  const h = x.req.headers
  const precondition = preconditionStatus({
    ifMatch: h['if-match'], ifNoneMatch: h['if-none-match'], ifModifiedSince: h['if-modified-since'], ifUnmodifiedSince: h['if-unmodified-since']
  }, v)
  if (precondition === 304) {
    sendEmpty(x, 304, { ETag: headers.ETag, 'Last-Modified': headers['Last-Modified'], 'x-amz-version-id': v.versionId })
    return
  }
  if (precondition === 412) {
    sendError(x, new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { details: { Condition: h['if-match'] !== undefined ? 'If-Match' : 'If-Unmodified-Since' } }))
    return
  }
  const span = rangeOf(h.range, v.size)
  const status = span.partial ? 206 : 200
  if (span.partial) headers['Content-Range'] = `bytes ${span.start}-${span.end - 1}/${v.size}`
  const length = span.end - span.start
  if (x.head) {
    writeHead(x, status, { ...headers, 'Content-Length': length })
    x.res.end()
    return
  }
  await sendVersion(x.res, reader, view.bucket, v, span.start, span.end,
    () => writeHead(x, status, { ...headers, 'Content-Length': length }))
}
