import { InfinError, type ErrorCode } from '../core/errors.js'

/**
 * The FUSE edge's one mapping from domain errors to errno values (Linux
 * numbers, as fuse-native expects them: negative). Specs that cannot be
 * parsed, times in the future and buckets without history all mean "no such
 * entry" to a file system: the path names nothing that exists.
 */
export const ERRNO = {
  EPERM: -1,
  ENOENT: -2,
  EIO: -5,
  EACCES: -13,
  EBUSY: -16,
  EINVAL: -22,
  EFBIG: -27,
  EROFS: -30
} as const

const BY_CODE: Record<ErrorCode, number> = {
  NotFound: ERRNO.ENOENT,
  BadSpec: ERRNO.ENOENT,
  FutureTime: ERRNO.ENOENT,
  NotVersioned: ERRNO.ENOENT,
  ReadOnly: ERRNO.EROFS,
  Unavailable: ERRNO.EIO,
  Corrupt: ERRNO.EIO,
  AccessDenied: ERRNO.EACCES,
  Conflict: ERRNO.EBUSY,
  TooLarge: ERRNO.EFBIG,
  Usage: ERRNO.EINVAL
}

/** Errors worth a log line: the user sees only an errno, the log says why. */
const LOGGED = new Set<ErrorCode>(['BadSpec', 'FutureTime', 'NotVersioned', 'Unavailable', 'Corrupt', 'AccessDenied', 'Conflict', 'TooLarge', 'Usage'])

export interface Mapped {
  errno: number
  /** Set when the failure should be logged (plain "not found" is not: shells probe names all the time). */
  why?: string
}

/** Maps any failure to an errno; anything that is not a domain error is a bug, reported as EIO. */
export function errnoOf (e: unknown): Mapped {
  if (e instanceof InfinError) {
    return { errno: BY_CODE[e.code], why: LOGGED.has(e.code) ? describe(e) : undefined }
  }
  return { errno: ERRNO.EIO, why: `internal error: ${(e as Error)?.stack ?? String(e)}` }
}

/** The message plus its chain of causes, which is where S3 puts the real reason. */
export function describe (e: Error): string {
  const parts = [e.message]
  let cause = (e as { cause?: unknown }).cause
  for (let depth = 0; cause !== undefined && depth < 4; depth++) {
    const c = cause as { name?: string, message?: string, code?: string, cause?: unknown }
    const text = [c.name, c.code, c.message].filter(x => typeof x === 'string' && x !== '').join(': ')
    if (text !== '' && !parts.some(p => p.includes(text))) parts.push(`cause: ${text}`)
    cause = c.cause
  }
  return parts.join('; ')
}
