import { InfinError, type ErrorCode } from '../core/errors.js'

/** HTTP status per domain error: the one place the server maps them. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  BadSpec: 400,
  FutureTime: 400,
  Usage: 400,
  NotFound: 404,
  NotVersioned: 409,
  AccessDenied: 403,
  ReadOnly: 403,
  Conflict: 409,
  TooLarge: 413,
  Corrupt: 500,
  Unavailable: 502
}

/** A JSON error body in Jupyter's shape ({message, reason}). */
export function errorBody (e: unknown): { status: number, body: { message: string, reason: string } } {
  if (e instanceof InfinError) return { status: HTTP_STATUS[e.code], body: { message: e.message, reason: e.code } }
  return { status: 500, body: { message: `internal error: ${(e as Error)?.message ?? String(e)}`, reason: 'Internal' } }
}
