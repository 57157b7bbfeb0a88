import type { IncomingMessage, ServerResponse } from 'node:http'
import { errorXml, type S3Error } from './errors.js'
import type { Target } from './request.js'

/** One request and its reply, as every operation gets them. */
export interface Exchange {
  req: IncomingMessage
  res: ServerResponse
  target: Target
  requestId: string
  /** HEAD: the same headers as GET, no body. */
  head: boolean
}

function baseHeaders (x: Exchange): Record<string, string> {
  return { 'x-amz-request-id': x.requestId, 'x-amz-id-2': x.requestId, Server: 'InfinStor' }
}

/** Starts a reply with the request id and these headers (the body follows, or not). */
export function writeHead (x: Exchange, status: number, headers: Record<string, string | number>): void {
  x.res.writeHead(status, { ...baseHeaders(x), ...headers })
}

export function sendXml (x: Exchange, xml: string, status = 200): void {
  const body = Buffer.from(xml, 'utf8')
  writeHead(x, status, { 'Content-Type': 'application/xml', 'Content-Length': body.length })
  x.res.end(x.head ? undefined : body)
}

export function sendEmpty (x: Exchange, status: number, headers: Record<string, string | number> = {}): void {
  writeHead(x, status, { ...headers, 'Content-Length': 0 })
  x.res.end()
}

/** An S3 error document (HEAD replies carry only the status, as S3's do). */
export function sendError (x: Exchange, err: S3Error): void {
  const body = Buffer.from(errorXml(err, x.requestId, x.target.path), 'utf8')
  writeHead(x, err.status, { ...err.headers, 'Content-Type': 'application/xml', 'Content-Length': x.head ? 0 : body.length })
  x.res.end(x.head ? undefined : body)
}
