// The shared HTTP server: token auth, Host check, CORS, error mapping, token file.
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { InfinError } from '../../src/core/errors.js'
import { listen, Router } from '../../src/server/http.js'
import { loadToken } from '../../src/server/token.js'
import { tempDir } from '../helpers/temp.js'

const router = new Router()
  .get(/^\/ok$/, async () => ({ json: { ok: true } }))
  .get(/^\/missing\/(.*)$/, async req => { throw new InfinError('NotFound', `no ${decodeURIComponent(req.params[0] ?? '')}`) })

t.test('token file is created 0600 and reused', async t => {
  const dir = tempDir(t, 'token')
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

/** A raw request: headers exactly as given, and a body streamed in chunks (no Content-Length) when `chunks` is set. */
async function send (url: string, opts: { method?: string, path: string, headers?: Record<string, string>, body?: string, chunks?: { size: number, count: number } }): Promise<{ status: number, text: string }> {
  const { request } = await import('node:http')
  return await new Promise((resolve, reject) => {
    const req = request(url + opts.path, { method: opts.method ?? 'GET', headers: opts.headers }, res => {
      let text = ''
      res.setEncoding('utf8').on('data', (c: string) => { text += c }).on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
    // The server may close the connection while the body is still going out: the reply is what counts.
    req.on('error', e => { if (!req.writableEnded) reject(e) })
    if (opts.chunks === undefined) {
      req.end(opts.body)
      return
    }
    const chunk = Buffer.alloc(opts.chunks.size, 0x20)
    let left = opts.chunks.count
    const pump = (): void => {
      while (left > 0) {
        left--
        if (!req.write(chunk)) { req.once('drain', pump); return }
      }
      req.end()
    }
    req.on('error', () => { left = 0 })
    pump()
  })
}

t.test('request bodies: JSON objects only, and at most maxBodyBytes', async t => {
  const echo = new Router()
    .add('POST', /^\/echo$/, async req => ({ json: { got: await req.json() } }))
  const s = await listen(echo, { host: '127.0.0.1', port: 0, token: 'x', allowOrigins: [], maxBodyBytes: 1000 })
  t.teardown(s.close)
  const auth = { Authorization: 'token x' }
  t.same(JSON.parse((await send(s.url, { method: 'POST', path: '/echo', headers: auth, body: '{"a":1}' })).text), { got: { a: 1 } })
  for (const body of ['null', '[1]', '7', '"x"', '{']) {
    const res = await send(s.url, { method: 'POST', path: '/echo', headers: auth, body })
    t.equal(res.status, 400, `${body}: ${res.text}`)
  }
  const declared = await send(s.url, { method: 'POST', path: '/echo', headers: auth, body: 'x'.repeat(1001) })
  t.equal(declared.status, 413, 'a declared length over the limit')
  t.match(JSON.parse(declared.text), { reason: 'TooLarge' })
  const streamed = await send(s.url, { method: 'POST', path: '/echo', headers: auth, chunks: { size: 600, count: 1000 } })
  t.equal(streamed.status, 413, 'a chunked body that passes the limit')
  t.same(JSON.parse((await send(s.url, { method: 'POST', path: '/echo', headers: auth, body: JSON.stringify({ s: 'y'.repeat(900) }) })).text).got.s.length, 900,
    'and the server goes on serving')
})

t.test('path parts are decoded once; bad encoding and NUL are 400s', async t => {
  const named = new Router().get(/^\/named\/([^/]+)$/, async req => ({ json: { name: req.params[0], raw: req.rawParams[0] } }))
  const s = await listen(named, { host: '127.0.0.1', port: 0, token: 'x', allowOrigins: [] })
  t.teardown(s.close)
  const auth = { Authorization: 'token x' }
  t.same(JSON.parse((await send(s.url, { path: '/named/a%20b%2Fc', headers: auth })).text), { name: 'a b/c', raw: 'a%20b%2Fc' })
  for (const path of ['/named/%ZZ', '/named/%E0%A4%A', '/named/a%00b']) {
    const res = await send(s.url, { path, headers: auth })
    t.equal(res.status, 400, path)
    t.match(JSON.parse(res.text), { reason: 'Usage' })
  }
})

t.test('a cookie alone may change nothing unless the request comes from the server\'s own pages', async t => {
  const state = new Router()
    .get(/^\/read$/, async () => ({ json: { ok: true } }))
    .add('POST', /^\/change$/, async () => ({ json: { changed: true } }))
  const s = await listen(state, { host: '127.0.0.1', port: 0, token: 'secret', allowOrigins: ['http://lab.example:8888'] })
  t.teardown(s.close)
  const cookie = { Cookie: 'infinstor-token=secret' }
  const self = `http://127.0.0.1:${s.port}`
  const post = async (headers: Record<string, string>): Promise<number> =>
    (await send(s.url, { method: 'POST', path: '/change', headers, body: '{}' })).status
  t.equal((await send(s.url, { path: '/read', headers: cookie })).status, 200, 'a cookie reads')
  t.equal(await post(cookie), 403, 'a bare cookie POST is refused')
  t.equal(await post({ ...cookie, Origin: 'http://127.0.0.1:1' }), 403, 'from another port')
  t.equal(await post({ ...cookie, Origin: 'http://lab.example:8888' }), 403, 'even from an allowed CORS origin: it sends the token')
  t.equal(await post({ ...cookie, 'Sec-Fetch-Site': 'same-site', Origin: 'http://127.0.0.1:1' }), 403, 'same-site is not same-origin')
  t.equal(await post({ ...cookie, Origin: self }), 200, 'the server\'s own origin')
  t.equal(await post({ ...cookie, 'Sec-Fetch-Site': 'same-origin' }), 200, 'or Sec-Fetch-Site: same-origin')
  t.equal(await post({ Authorization: 'token secret', Origin: 'http://127.0.0.1:1' }), 200, 'the token header works from anywhere CORS allows')
  t.equal(await post({ ...cookie, Authorization: 'token wrong' }), 401, 'a wrong header is not rescued by the cookie')
  const refused = await send(s.url, { method: 'POST', path: '/change', headers: cookie, body: '{}' })
  t.notMatch(refused.text, /secret/, 'the refusal does not echo the token')
})
