import { InfinError } from '../core/errors.js'

interface SdkError {
  name?: string
  code?: string
  message?: string
  $metadata?: { httpStatusCode?: number }
}

const DENIED = new Set(['AccessDenied', 'Forbidden', 'InvalidAccessKeyId', 'SignatureDoesNotMatch',
  'ExpiredToken', 'InvalidToken', 'AllAccessDisabled'])

/**
 * Turns an SDK or network failure into a domain error. `what` says what we
 * were doing, in the user's terms. Messages never carry credentials: the
 * SDK's own messages don't, and nothing from the config is added.
 */
export function toDomainError (e: unknown, what: string, endpoint: string | undefined): InfinError {
  if (e instanceof InfinError) return e
  const err = (e ?? {}) as SdkError
  const name = err.name ?? err.code ?? ''
  const status = err.$metadata?.httpStatusCode
  const detail = err.message !== undefined && err.message !== '' && err.message !== name
    ? `${name}: ${err.message}`
    : name || String(e)
  if (name === 'NoSuchBucket') {
    return new InfinError('NotFound', `cannot ${what}: no such bucket`, { cause: e })
  }
  if (name === 'NoSuchKey' || name === 'NoSuchVersion' || name === 'NotFound' || status === 404) {
    return new InfinError('NotFound', `cannot ${what}: not found`, { cause: e })
  }
  if (name === 'CredentialsProviderError') {
    return new InfinError('AccessDenied',
      `cannot ${what}: no AWS credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`,
      { cause: e })
  }
  if (DENIED.has(name) || status === 403) {
    return new InfinError('AccessDenied', `cannot ${what}: access denied (${detail})`, { cause: e })
  }
  if (name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412) {
    return new InfinError('Conflict', `cannot ${what}: it already exists or changed meanwhile`, { cause: e })
  }
  const where = endpoint !== undefined ? ` at ${endpoint}` : ''
  if (name === 'AbortError' || name === 'TimeoutError') {
    return new InfinError('Unavailable', `cannot ${what}: S3${where} timed out`, { cause: e })
  }
  return new InfinError('Unavailable', `cannot ${what}: S3${where} failed after retries (${detail})`, { cause: e })
}
