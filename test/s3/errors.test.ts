// S3 failures become domain errors, once, in the user's terms (pure units).
import t from 'tap'
import { InfinError } from '../../src/core/errors.js'
import { toDomainError } from '../../src/s3/errors.js'

function sdk (name: string, status?: number, message = `${name} happened`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } })
}

const WHAT = 'read s3://b/k (version v1)'

t.test('each kind of failure gets its code and says what was being done', async t => {
  const cases: Array<[unknown, string, RegExp]> = [
    [sdk('NoSuchBucket', 404), 'NotFound', /^cannot read s3:\/\/b\/k \(version v1\): no such bucket$/],
    [sdk('NoSuchKey', 404), 'NotFound', /: not found$/],
    [sdk('NoSuchVersion', 404), 'NotFound', /: not found$/],
    [sdk('Whatever', 404), 'NotFound', /: not found$/],
    [sdk('CredentialsProviderError'), 'AccessDenied', /no AWS credentials found \(set AWS_PROFILE/],
    [sdk('AccessDenied', 403, 'Access Denied'), 'AccessDenied', /access denied \(AccessDenied: Access Denied\)/],
    [sdk('InvalidAccessKeyId', 403), 'AccessDenied', /access denied/],
    [sdk('Odd', 403), 'AccessDenied', /access denied/],
    [sdk('PreconditionFailed', 412), 'Conflict', /already exists or changed meanwhile/],
    [sdk('TimeoutError'), 'Unavailable', /S3 at http:\/\/s3\.test timed out$/],
    [sdk('AbortError'), 'Unavailable', /timed out$/],
    [sdk('InternalError', 500, 'We encountered an internal error'), 'Unavailable',
      /S3 at http:\/\/s3\.test failed after retries \(InternalError: We encountered an internal error\)$/],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', name: 'Error' }), 'Unavailable', /failed after retries \(Error: connect ECONNREFUSED/]
  ]
  for (const [e, code, message] of cases) {
    const d = toDomainError(e, WHAT, 'http://s3.test')
    t.equal(d.code, code, `${(e as Error).name} -> ${code}`)
    t.match(d.message, message)
    t.equal(d.cause, e, 'the SDK error is kept as the cause (the logs show it)')
  }
})

t.test('the endpoint is named only when there is one; domain errors pass through', async t => {
  t.match(toDomainError(sdk('TimeoutError'), WHAT, undefined).message, /: S3 timed out$/)
  const mine = new InfinError('Corrupt', 'already mapped')
  t.equal(toDomainError(mine, WHAT, undefined), mine)
  t.equal(toDomainError(undefined, WHAT, undefined).code, 'Unavailable', 'even a rejection without a reason is mapped')
})

t.test('messages never carry credentials', async t => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
  process.env.AWS_SECRET_ACCESS_KEY = secret
  for (const name of ['AccessDenied', 'SignatureDoesNotMatch', 'InternalError', 'CredentialsProviderError']) {
    t.notMatch(toDomainError(sdk(name, 403), WHAT, 'http://s3.test').message, secret, name)
  }
})
