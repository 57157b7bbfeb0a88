/**
 * Domain errors. Code inside InfinStor throws these; each edge (FUSE, HTTP,
 * CLI) maps `code` to its own vocabulary exactly once.
 */
export type ErrorCode =
  | 'BadSpec' // a time spec, label name or path that cannot be parsed
  | 'FutureTime' // a time after the server's current time
  | 'NotFound' // unknown bucket, key, label, or a key not live at T
  | 'NotVersioned' // time travel asked of a bucket that never had versioning
  | 'AccessDenied'
  | 'Unavailable' // S3 fault after bounded retries, or a timeout
  | 'ReadOnly' // a write to the time-travel tree
  | 'Conflict' // e.g. a label name that is taken
  | 'Corrupt' // a store whose contents cannot be trusted
  | 'TooLarge' // a request that would read more than allowed into memory
  | 'Usage' // bad command-line usage

export class InfinError extends Error {
  readonly code: ErrorCode
  constructor (code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = 'InfinError'
  }
}

export function isInfinError (e: unknown, code?: ErrorCode): e is InfinError {
  return e instanceof InfinError && (code === undefined || e.code === code)
}
