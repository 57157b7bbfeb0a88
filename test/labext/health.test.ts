// Server health messages: each failure names its fix (pure).
import t from 'tap'
import { compareVersions, diagnose, diagnoseContents, diagnoseExtension, MIN_SERVER_VERSION, type Health, type Where } from '../../src/labext/src/health.js'

const cross: Where = { baseUrl: 'http://127.0.0.1:8941/', origin: 'http://127.0.0.1:8888', sameOrigin: false, tokenSet: true }
const sameOrigin: Where = { baseUrl: 'http://lab:8888/daemon/', origin: 'http://lab:8888', sameOrigin: true, tokenSet: false }

function problem (h: Health): { title: string, detail: string, fix: string } {
  if (h.state !== 'problem') throw new Error(`expected a problem, got ${h.state}`)
  return { title: h.problem.title, detail: h.problem.detail, fix: h.problem.fix.join('\n') }
}

t.test('versions compare numerically, pre-releases first', async t => {
  t.equal(compareVersions('0.10.0', '0.9.1'), 1)
  t.equal(compareVersions('1.0.0-rc.1', '1.0.0'), -1)
  t.equal(compareVersions('v1.2', '1.2.0'), 0)
  t.equal(compareVersions('0.0.9', MIN_SERVER_VERSION), -1)
})

t.test('a working server is ok', async t => {
  const h = diagnose({ kind: 'response', status: 200, body: { name: 'infinstor', version: MIN_SERVER_VERSION } }, cross)
  t.equal(h.state, 'ok')
})

t.test('no daemon: start it, with --allow-origin for this origin', async t => {
  const p = problem(diagnose({ kind: 'network', message: 'connection failed' }, cross))
  t.match(p.title, /cannot be reached/)
  t.match(p.detail, 'http://127.0.0.1:8941/')
  t.match(p.fix, 'infinstor serve --allow-origin http://127.0.0.1:8888')
  const q = problem(diagnose({ kind: 'network', message: 'x' }, sameOrigin))
  t.match(q.fix, /infinstor jupyter install/, 'the server extension is the way without a daemon URL')
})

t.test('wrong or missing token: where the token is, and where it goes', async t => {
  const wrong = problem(diagnose({ kind: 'response', status: 401, body: { message: 'missing or wrong token' } }, cross))
  t.match(wrong.title, /refused the token/)
  t.match(wrong.detail, /does not match/)
  t.match(wrong.fix, '~/.config/infinstor/token')
  t.match(wrong.fix, /"Token" in Settings/)
  const missing = problem(diagnose({ kind: 'response', status: 401, body: {} }, sameOrigin))
  t.match(missing.detail, /No token is set/)
})

t.test('an old server names both versions and the upgrade', async t => {
  const p = problem(diagnose({ kind: 'response', status: 200, body: { name: 'infinstor', version: '0.0.9' } }, cross))
  t.match(p.title, /too old/)
  t.match(p.detail, `version 0.0.9; this extension needs ${MIN_SERVER_VERSION}`)
  t.match(p.fix, /Upgrade InfinStor/)
})

t.test('something else at the address, a Host refusal, and server failures', async t => {
  t.match(problem(diagnose({ kind: 'response', status: 404, body: '<html>' }, sameOrigin)).fix, /Server URL/)
  t.match(problem(diagnose({ kind: 'response', status: 200, body: { name: 'jupyter' } }, cross)).title, /No InfinStor server/)
  t.match(problem(diagnose({ kind: 'response', status: 403, body: { message: 'unexpected Host header', reason: 'AccessDenied' } }, sameOrigin)).fix,
    /loopback address/)
  const failed = problem(diagnose({ kind: 'response', status: 502, body: { message: 'S3 is down' } }, cross))
  t.match(failed.detail, '502: S3 is down')
})

t.test('an InfinStor server without the contents API is reported as such', async t => {
  const info = { name: 'infinstor', version: '0.1.0' }
  t.equal(diagnoseContents({ kind: 'response', status: 200, body: {} }, info, cross).state, 'ok')
  const p = problem(diagnoseContents({ kind: 'response', status: 404, body: { message: 'no such endpoint: /api/contents' } }, info, cross))
  t.match(p.title, /does not serve files/)
  t.match(p.detail, '404: no such endpoint')
  t.match(p.detail, 'version 0.1.0')
  t.match(problem(diagnoseContents({ kind: 'network', message: 'gone' }, info, cross)).title, /cannot be reached/)
})

t.test('the server extension: not installed means setup, not an error', async t => {
  const url = 'http://lab:8888/user/ada/infinstor/health'
  t.same(diagnoseExtension({ kind: 'response', status: 404, body: '<html>' }, url), { state: 'setup' })
  const health = {
    name: 'infinstor-jupyter',
    version: '0.1.0',
    daemon: { source: 'started', url: 'http://127.0.0.1:40000', version: '0.1.0', endpoint: 'http://s3:9000' },
    mount: { mountpoint: '/infinstor', pid: 7, sharesCache: true }
  }
  const ok = diagnoseExtension({ kind: 'response', status: 200, body: health }, url)
  if (ok.state !== 'ok') throw new Error(ok.state)
  t.equal(ok.info.version, '0.1.0')
  t.equal(ok.info.mountPoint, '/infinstor', 'the running mount is where code reads')
  t.same(ok.extension, health)
  const old = problem(diagnoseExtension({ kind: 'response', status: 200, body: { ...health, daemon: { ...health.daemon, version: '0.0.1' } } }, url))
  t.match(old.title, /too old/)
})

t.test('the server extension\'s own refusal and fix are shown as they are', async t => {
  const url = 'http://lab:8888/infinstor/health'
  const p = problem(diagnoseExtension({
    kind: 'response',
    status: 503,
    body: { message: 'the Jupyter server cannot find the infinstor command', fix: ['Put infinstor on the PATH', 'restart JupyterLab'] }
  }, url))
  t.match(p.title, /server extension cannot reach a daemon/)
  t.equal(p.detail, 'the Jupyter server cannot find the infinstor command')
  t.equal(p.fix, 'Put infinstor on the PATH\nrestart JupyterLab')
  t.match(problem(diagnoseExtension({ kind: 'network', message: 'connection failed' }, url)).title, /JupyterLab's server cannot be reached/)
  t.match(problem(diagnoseExtension({ kind: 'response', status: 500, body: { message: 'boom' } }, url)).detail, '500: boom')
})
