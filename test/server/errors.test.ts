// Domain errors become HTTP statuses and Jupyter-shaped JSON bodies, once (pure units).
import t from 'tap'
import { InfinError, type ErrorCode } from '../../src/core/errors.js'
import { errorBody, HTTP_STATUS } from '../../src/server/errors.js'

t.test('every domain error has its status, and the body names the code', async t => {
  const expected: Record<ErrorCode, number> = {
    BadSpec: 400, FutureTime: 400, Usage: 400, NotFound: 404, NotVersioned: 409, AccessDenied: 403,
    ReadOnly: 403, Conflict: 409, TooLarge: 413, Corrupt: 500, Unavailable: 502
  }
  t.same(HTTP_STATUS, expected)
  for (const code of Object.keys(expected) as ErrorCode[]) {
    t.same(errorBody(new InfinError(code, `why ${code}`)), { status: expected[code], body: { message: `why ${code}`, reason: code } })
  }
})

t.test('anything else is a 500 that says it is internal, without a stack', async t => {
  const e = new TypeError('x is not a function')
  const { status, body } = errorBody(e)
  t.equal(status, 500)
  t.same(body, { message: 'internal error: x is not a function', reason: 'Internal' })
  t.notMatch(body.message, /at .*\.ts:\d+/, 'no stack frames')
  t.equal(errorBody('plain text').body.message, 'internal error: plain text')
})
