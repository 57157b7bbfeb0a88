import { InfinError, type ErrorCode } from '../core/errors.js'
import { el, xmlDocument } from './xml.js'

/**
 * A failure in S3's vocabulary: the gateway's own protocol faults (a bad
 * signature, an unsatisfiable range) are raised as these directly; domain
 * errors from the engine are mapped to them once, by toS3Error.
 */
export class S3Error extends Error {
  readonly code: string
  readonly status: number
  /** Extra elements of the error document (Key, BucketName, ...). */
  readonly details: Record<string, string>
  /** Extra response headers (Allow on 405, Content-Range on 416). */
  readonly headers: Record<string, string>

  constructor (status: number, code: string, message: string,
    extra: { details?: Record<string, string>, headers?: Record<string, string> } = {}) {
    super(message)
    this.name = 'S3Error'
    this.status = status
    this.code = code
    this.details = extra.details ?? {}
    this.headers = extra.headers ?? {}
  }
}

/** What was being looked for, which decides how "not found" is said in S3's terms. */
export type Resource = 'bucket' | 'object' | 'view'

const BY_CODE: Record<Exclude<ErrorCode, 'NotFound'>, [number, string]> = {
  BadSpec: [400, 'InvalidArgument'],
  FutureTime: [400, 'InvalidArgument'],
  Usage: [400, 'InvalidArgument'],
  NotVersioned: [409, 'InvalidBucketState'],
  AccessDenied: [403, 'AccessDenied'],
  ReadOnly: [405, 'MethodNotAllowed'],
  Conflict: [409, 'OperationAborted'],
  TooLarge: [400, 'EntityTooLarge'],
  Corrupt: [500, 'InternalError'],
  Unavailable: [503, 'ServiceUnavailable']
}

/** The one mapping from domain errors (and bugs) to S3 errors. */
export function toS3Error (e: unknown, resource: Resource): S3Error {
  if (e instanceof S3Error) return e
  if (e instanceof InfinError) {
    if (e.code === 'NotFound') {
      return resource === 'bucket'
        ? new S3Error(404, 'NoSuchBucket', e.message)
        : new S3Error(404, 'NoSuchKey', e.message)
    }
    const [status, code] = BY_CODE[e.code]
    return new S3Error(status, code, e.message)
  }
  return new S3Error(500, 'InternalError', `internal error: ${(e as Error)?.message ?? String(e)}`)
}

/** The XML body of an error reply. */
export function errorXml (err: S3Error, requestId: string, resource: string): string {
  return xmlDocument(el('Error',
    el('Code', err.code),
    el('Message', err.message),
    ...Object.entries(err.details).map(([k, v]) => el(k, v)),
    el('Resource', resource),
    el('RequestId', requestId)
  ), false)
}

export const methodNotAllowed = (method: string): S3Error =>
  new S3Error(405, 'MethodNotAllowed', `${method} is not allowed: the time-travel gateway is read-only`,
    { headers: { Allow: 'GET, HEAD' } })

export const notImplemented = (what: string): S3Error =>
  new S3Error(501, 'NotImplemented', `${what} is not implemented by the InfinStor gateway (it serves reads and listings)`)

export const invalidArgument = (message: string, name?: string, value?: string): S3Error =>
  new S3Error(400, 'InvalidArgument', message,
    { details: name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' } })
