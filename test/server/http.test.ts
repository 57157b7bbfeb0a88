// The shared HTTP server: token auth, Host check, CORS, error mapping, token file.
import { mkdtemp, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { InfinError } from '../../src/core/errors.js'
import { listen, Router } from '../../src/server/http.js'
import { loadToken } from '../../src/server/token.js'

const router = new Router()
  .get(/^\/ok$/, async () => ({ json: { ok: true } }))
  .get(/^\/missing\/(.*)$/, async req => { throw new InfinError('NotFound', `no ${decodeURIComponent(req.params[0])}`) })

t.test('token file is created 0600 and reused', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'infinstor-token-'))
  const path = join(dir, 'sub', 'token')
  const a = await loadToken(undefined, path)
  t.match(a, /^[0-9a-f]{48}$/)
  t.equal((await stat(path)).mode & 0o777, 0o600)
  t.equal(await loadToken(undefined, path), a, 'the same token next time')
  t.equal((await readFile(path, 'utf8')).trim(), a)
  t.equal(await loadToken('given', path), 'given', 'an explicit token wins')
})

t.test('requests need the token; errors are JSON', async t => {
  const s = await listen(router, { host: '127.0.0.1', port: 0, token: 'secret-token', allowOrigins: ['http://lab.example:8888'] })
  t.teardown(s.close)
  const get = async (path: string, headers: Record<string, string> = {}): Promise<Response> =>
    await fetch(s.url + path, { headers })

  const none = await get('/ok')
  t.equal(none.status, 401)
  const body = await none.json() as { message: string }
  t.match(body.message, /token/)
  t.notMatch(JSON.stringify(body), /secret-token/, 'never echoes the token')
  t.equal((await get('/ok', { Authorization: 'token wrong' })).status, 401)
  t.equal((await get('/ok', { Authorization: 'token secret-token' })).status, 200)

  const byQuery = await get('/ok?token=secret-token')
  t.equal(byQuery.status, 200)
  const cookie = byQuery.headers.get('set-cookie') ?? ''
  t.match(cookie, /HttpOnly/)
  t.equal((await get('/ok', { Cookie: cookie.split(';')[0] })).status, 200, 'the cookie authenticates later requests')

  const missing = await get('/missing/a%20b', { Authorization: 'token secret-token' })
  t.equal(missing.status, 404)
  t.same(await missing.json(), { message: 'no a b', reason: 'NotFound' })
  const nope = await get('/nope', { Authorization: 'token secret-token' })
  t.equal(nope.status, 404)
  const post = await fetch(s.url + '/ok', { method: 'POST', headers: { Authorization: 'token secret-token' } })
  t.equal(post.status, 400, 'a method the route lacks is refused')

  const allowed = await get('/ok', { Authorization: 'token secret-token', Origin: 'http://lab.example:8888' })
  t.equal(allowed.headers.get('access-control-allow-origin'), 'http://lab.example:8888')
  const other = await get('/ok', { Authorization: 'token secret-token', Origin: 'http://evil.example' })
  t.equal(other.headers.get('access-control-allow-origin'), null, 'other origins get no CORS')
  const preflight = await fetch(s.url + '/ok', { method: 'OPTIONS', headers: { Origin: 'http://lab.example:8888' } })
  t.equal(preflight.status, 204)
  t.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/)
})

t.test('a foreign Host header is refused on a loopback server', async t => {
  const s = await listen(router, { host: '127.0.0.1', port: 0, token: 'x', allowOrigins: [] })
  t.teardown(s.close)
  const { request } = await import('node:http')
  const status = await new Promise<number>((resolve, reject) => {
    request({ host: '127.0.0.1', port: s.port, path: '/ok', headers: { Host: 'evil.example', Authorization: 'token x' } },
      res => { res.resume(); resolve(res.statusCode ?? 0) }).on('error', reject).end()
  })
  t.equal(status, 403)
})
