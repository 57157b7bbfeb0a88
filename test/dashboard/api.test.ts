// The /api/infinstor/* JSON API against a real S3 (moto), checked against the history oracle.
import { mkdir, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { join } from 'node:path'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { Router, listen } from '../../src/server/http.js'
import { binEvents } from '../../src/dashboard/api/history.js'
import { parseRange } from '../../src/dashboard/api/browse.js'
import { staticRoutes } from '../../src/dashboard/static.js'
import { startApp, TOKEN, type AppClient } from '../helpers/app.js'
import { buildHistory, diff, dirsOf, sha, slice, snapshot, type State } from '../helpers/history.js'
import { s3env } from '../helpers/s3env.js'
import { tempDir } from '../helpers/temp.js'

const env = await s3env(t)
const h = await buildHistory(env.raw, 'hist', { seed: 11, steps: 6, nullSteps: 1 })
const app = await startApp(env)
t.teardown(app.close)
const last = h.at.length - 1
const iso = (i: number): string => formatInstant(h.at[i])
const q = encodeURIComponent

interface Entry { name: string, type: 'file' | 'dir', key: string, size?: number, versionId?: string, lastModified?: string }
interface DirReply { exists: boolean, total: number, offset: number, entries: Entry[], mountPath: string, view: { spec: string, kind: string } }

/** Every page of a paged endpoint, concatenated. */
async function allPages<T> (client: AppClient, path: string, field: string, limit = 4): Promise<{ first: any, items: T[] }> {
  const items: T[] = []
  let first: any
  for (let offset = 0; ; offset += limit) {
    const snapshot = first === undefined ? '' : `&snapshot=${first.snapshot as string}`
    const page = await client.json(`${path}&offset=${offset}&limit=${limit}${snapshot}`)
    first ??= page
    items.push(...page[field])
    if (offset + limit >= page.total) break
  }
  return { first, items }
}

/** Files the API lists: live keys, less directory markers and files a same-named directory hides. */
function listedFiles (state: State): string[] {
  const dirs = dirsOf(state)
  return [...state.keys()].filter(k => !k.endsWith('/') && !dirs.has(k + '/')).sort()
}

async function tree (spec: string): Promise<{ dirs: string[], files: string[] }> {
  const dirs: string[] = []
  const files: string[] = []
  const visit = async (path: string): Promise<void> => {
    const { first, items } = await allPages<Entry>(app, `/api/infinstor/buckets/hist/dir?spec=${q(spec)}&path=${q(path)}`, 'entries')
    t.equal(first.exists, true, `${path} exists at ${spec}`)
    t.equal(items.length, first.total, 'pages add up to the total')
    dirs.push(path)
    for (const e of items) {
      if (e.type === 'dir') await visit(e.key)
      else files.push(e.key)
    }
  }
  await visit('')
  return { dirs: dirs.sort(), files: files.sort() }
}

t.test('info names the connection and never a secret', async t => {
  const info = await app.json('/api/infinstor/info')
  t.match(info, { name: 'infinstor', endpoint: env.endpoint, region: 'us-east-1', credentialSource: 'env', mountPoint: '/mnt/infinstor' })
  const text = JSON.stringify(info)
  t.notOk(text.includes(process.env.AWS_SECRET_ACCESS_KEY + '"'), 'no secret value')
  t.notMatch(text, /secret/i)
})

t.test('buckets: list, summary against the oracle, versioning on and off', async t => {
  const { CreateBucketCommand } = await import('@aws-sdk/client-s3')
  await env.raw.send(new CreateBucketCommand({ Bucket: 'plain' }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'plain', Key: 'a.txt', Body: 'hello' }))
  const list = await app.json<Array<{ name: string, versioning: string, created: string }>>('/api/infinstor/buckets')
  t.same(list.map(b => [b.name, b.versioning]).sort(), [['hist', 'Enabled'], ['plain', 'Off']])
  t.match(list[0].created, /^\d{4}-\d\d-\d\dT/)
})

t.test('summary matches the oracle', async t => {
  const state = snapshot(h, last)
  const s = await app.json('/api/infinstor/buckets/hist')
  t.equal(s.versioning, 'Enabled')
  t.equal(s.liveObjects, state.size)
  t.equal(s.liveBytes, [...state.values()].reduce((n, b) => n + b.length, 0))
  t.equal(s.deleteMarkers, h.ops.filter(o => o.body === undefined).length)
  t.equal(s.versions, h.ops.filter(o => o.body !== undefined).length)
  const horizon = Date.parse(s.horizon)
  t.ok(horizon > h.at[h.enabledAtStep - 1] - 1000 && horizon <= h.at[h.enabledAtStep], 'horizon is the first versioned write')
})

t.test('versioning: enable, suspend, and refusals', async t => {
  const put = async (bucket: string, body: unknown): Promise<Response> => await app.fetch(`/api/infinstor/buckets/${bucket}/versioning`,
    { method: 'PUT', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } })
  const never = await put('plain', { enabled: false })
  t.equal(never.status, 409)
  t.match((await never.json()).message, /never enabled/)
  t.equal((await put('plain', { enabled: 'yes' })).status, 400)
  const ahead = await app.fetch(`/api/infinstor/buckets/plain/dir?spec=${q(iso(0))}`)
  t.equal(ahead.status, 409, 'time travel on a bucket without versioning')
  t.match((await ahead.json()).message, /Enable it/)
  t.same(await (await put('plain', { enabled: true })).json(), { versioning: 'Enabled' })
  t.same(await (await put('plain', { enabled: false })).json(), { versioning: 'Suspended' })
  const list = await app.json<Array<{ name: string, versioning: string }>>('/api/infinstor/buckets')
  t.equal(list.find(b => b.name === 'plain')?.versioning, 'Suspended', 'the list sees the change at once')
  t.equal((await app.fetch('/api/infinstor/buckets/no-such-bucket')).status, 404)
  t.equal((await app.fetch('/api/infinstor/buckets/Bad_Name')).status, 400)
})

t.test('dir: the tree at every step matches the oracle, page by page', async t => {
  for (let i = 0; i < h.at.length; i++) {
    const want = snapshot(h, i)
    const got = await tree(iso(i))
    t.same(got.dirs, [...dirsOf(want)].sort(), `directories at step ${i}`)
    t.same(got.files, listedFiles(want), `files at step ${i}`)
  }
  const root = await app.json<DirReply>(`/api/infinstor/buckets/hist/dir?spec=${q(iso(2))}&limit=1000`)
  t.equal(root.view.spec, iso(2))
  t.equal(root.mountPath, `/mnt/infinstor/hist/@${iso(2)}`)
  const kinds = root.entries.map(e => e.type)
  t.same(kinds, [...kinds].sort(), 'directories come first')
  const file = root.entries.find(e => e.type === 'file')
  if (file !== undefined) t.match(file, { size: Number, versionId: String, lastModified: /Z$/ })
  const gone = await app.json<DirReply>('/api/infinstor/buckets/hist/dir?path=no/such/dir/')
  t.same([gone.exists, gone.total], [false, 0])
})

t.test('object: the bytes of the version at T, ranges and downloads', async t => {
  let checked = 0
  for (const i of [0, 2, last]) {
    for (const [key, body] of snapshot(h, i)) {
      if (key.endsWith('/')) continue
      const res = await app.fetch(`/api/infinstor/buckets/hist/object?key=${q(key)}&spec=${q(iso(i))}`)
      t.equal(res.status, 200, key)
      t.equal(sha(Buffer.from(await res.arrayBuffer())), sha(body), `bytes of ${key} at step ${i}`)
      t.match(res.headers.get('content-security-policy'), /sandbox/)
      checked++
    }
  }
  t.ok(checked > 5, 'checked several files')
  const [key, body] = [...snapshot(h, last)].find(([k, b]) => b.length > 100 && !k.endsWith('/')) as [string, Buffer]
  const part = await app.fetch(`/api/infinstor/buckets/hist/object?key=${q(key)}&spec=${q(iso(last))}`, { headers: { Range: 'bytes=10-49' } })
  t.equal(part.status, 206)
  t.equal(part.headers.get('content-range'), `bytes 10-49/${body.length}`)
  t.same(Buffer.from(await part.arrayBuffer()), body.subarray(10, 50))
  const dl = await app.fetch(`/api/infinstor/buckets/hist/object?key=${q(key)}&download=1`)
  t.match(dl.headers.get('content-disposition'), /^attachment; filename\*=UTF-8''/)
  await dl.arrayBuffer()
  const deleted = h.ops.find(o => o.body === undefined && !snapshot(h, o.step).has(o.key) && !o.key.endsWith('/'))
  if (deleted !== undefined) {
    const miss = await app.fetch(`/api/infinstor/buckets/hist/object?key=${q(deleted.key)}&spec=${q(iso(deleted.step))}`)
    t.equal(miss.status, 404, 'a deleted file is not there at T')
  }
  t.same(parseRange('bytes=-5', 10), [5, 10])
  t.same(parseRange('bytes=3-', 10), [3, 10])
  t.equal(parseRange('bytes=10-', 10), 'unsatisfiable')
  t.equal(parseRange('bytes=1-2,4-5', 10), undefined, 'multiple ranges get the whole body')
})

t.test('files: slices list what was ingested, as the oracle says', async t => {
  for (const [i, j] of [[0, last], [1, 3], [2, 4]]) {
    const spec = `${iso(i)}..${iso(j)}`
    const { first, items } = await allPages<{ key: string, size: number }>(app, `/api/infinstor/buckets/hist/files?spec=${q(spec)}`, 'entries', 3)
    const want = slice(h, i, j)
    const keys = [...want.keys()].filter(k => !k.endsWith('/')).sort()
    t.same(items.map(e => e.key).sort(), keys, `slice ${i}..${j}`)
    t.equal(first.totalBytes, keys.reduce((n, k) => n + (want.get(k) as Buffer).length, 0), 'total bytes')
    t.equal(first.view.kind, 'slice')
  }
})

t.test('diff: added, modified and deleted, as the oracle says', async t => {
  for (const [i, j] of [[0, last], [1, 3], [3, 1]]) {
    const { first, items } = await allPages<{ key: string, change: string, before?: { size: number }, after?: { size: number } }>(
      app, `/api/infinstor/buckets/hist/diff?a=${q(iso(i))}&b=${q(iso(j))}`, 'changes', 5)
    // The oracle diffs forwards; backwards, added and deleted swap places.
    const fwd = diff(h, Math.min(i, j), Math.max(i, j))
    const want = i < j ? fwd : { added: fwd.deleted, modified: fwd.modified, deleted: fwd.added }
    const of = (kind: string): string[] => items.filter(c => c.change === kind).map(c => c.key).sort()
    t.same({ added: of('added'), modified: of('modified'), deleted: of('deleted') }, want, `diff ${i} -> ${j}`)
    t.same(first.counts, { added: want.added.length, modified: want.modified.length, deleted: want.deleted.length })
    for (const c of items) {
      if (c.after !== undefined) t.equal(c.after.size, snapshot(h, j).get(c.key)?.length, `size after of ${c.key}`)
      if (c.before !== undefined) t.equal(c.before.size, snapshot(h, i).get(c.key)?.length, `size before of ${c.key}`)
    }
  }
  const only = await app.json(`/api/infinstor/buckets/hist/diff?a=${q(iso(0))}&b=${q(iso(last))}&change=deleted`)
  t.ok(only.changes.every((c: { change: string }) => c.change === 'deleted'))
  t.equal(only.total, only.counts.deleted)
  const sub = await app.json(`/api/infinstor/buckets/hist/diff?a=${q(iso(0))}&b=${q(iso(last))}&path=dir&limit=1000`)
  const want = diff(h, 0, last)
  t.same(sub.changes.map((c: { key: string }) => c.key).sort(), [...want.added, ...want.modified, ...want.deleted].filter(k => k.startsWith('dir/')).sort(), 'a folder only')
  t.equal((await app.fetch('/api/infinstor/buckets/hist/diff?a=latest')).status, 400, 'b is required')
})

t.test('timeline: every write and delete lands in its step', async t => {
  const all = await app.json('/api/infinstor/buckets/hist/timeline?bins=50')
  t.same(all.total, {
    writes: h.ops.filter(o => o.body !== undefined).length,
    deletes: h.ops.filter(o => o.body === undefined).length
  }, 'every write and delete')
  t.ok(all.bins.length <= 50 && all.bins.length > 0)
  t.equal(all.bins.reduce((n: number, b: { writes: number }) => n + b.writes, 0), all.total.writes)
  for (let i = 1; i < h.at.length; i++) {
    const from = formatInstant(Math.floor(h.at[i - 1] / 1000) * 1000 + 1000)
    const one = await app.json(`/api/infinstor/buckets/hist/timeline?bins=1&from=${q(from)}&to=${q(iso(i))}`)
    const ops = h.ops.filter(o => o.step === i)
    t.same(one.total, { writes: ops.filter(o => o.body !== undefined).length, deletes: ops.filter(o => o.body === undefined).length }, `step ${i}`)
  }
  const folder = await app.json('/api/infinstor/buckets/hist/timeline?path=dir/&bins=10')
  const dirOps = h.ops.filter(o => o.key.startsWith('dir/'))
  t.equal(folder.total.writes + folder.total.deletes, dirOps.length, 'a folder counts only its own keys')
  t.equal((await app.fetch('/api/infinstor/buckets/hist/timeline?bins=0')).status, 400)
})

t.test('pages of one snapshot come from one list, even while latest changes', async t => {
  const first = await app.json('/api/infinstor/buckets/plain/dir?limit=1')
  t.equal(first.total, 1)
  await env.raw.send(new PutObjectCommand({ Bucket: 'plain', Key: 'b.txt', Body: 'new' }))
  await new Promise(resolve => setTimeout(resolve, 1100))
  const same = await app.json(`/api/infinstor/buckets/plain/dir?offset=1&limit=1&snapshot=${first.snapshot as string}`)
  t.same([same.total, same.entries.length, same.snapshot], [1, 0, first.snapshot], 'the snapshot still has one entry')
  const fresh = await app.json('/api/infinstor/buckets/plain/dir?limit=1')
  t.equal(fresh.total, 2, 'without a snapshot the list is computed afresh')
  t.not(fresh.snapshot, first.snapshot)
  const other = await app.json(`/api/infinstor/buckets/plain/dir?path=x/&snapshot=${first.snapshot as string}`)
  t.same([other.exists, other.total], [false, 0], 'a snapshot answers only the query it was made for')
})

t.test('labels: create from a view, use it as a spec, delete it for good', async t => {
  // A step whose snapshot has a folder with files, to label below the bucket's root.
  const i = [...h.at.keys()].reverse().find(j => [...dirsOf(snapshot(h, j))].some(d => d !== '' && listedFiles(snapshot(h, j)).some(k => k.startsWith(d)))) as number
  const want = snapshot(h, i)
  const dir = [...dirsOf(want)].find(d => d !== '' && listedFiles(want).some(k => k.startsWith(d))) as string
  // Only settled history can be labelled: past the settle margin (2 s here) and the clock's 1 s resolution.
  await new Promise(resolve => setTimeout(resolve, Math.max(0, h.at[i] + 3500 - Date.now())))
  const post = async (body: unknown): Promise<Response> => await app.fetch('/api/infinstor/labels',
    { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } })
  const made = await post({ name: 'snap-1', bucket: 'hist', path: dir, spec: iso(i), description: 'for the test' })
  t.equal(made.status, 201)
  const label = await made.json()
  t.match(label, { name: 'snap-1', bucket: 'hist', prefix: dir, spec: iso(i), description: 'for the test', creator: /@/, createdAt: /Z$/ })
  t.same(Object.keys(label).sort(), ['bucket', 'createdAt', 'creator', 'description', 'name', 'prefix', 'spec'], 'the contract shape')
  t.same(await app.json('/api/infinstor/labels/snap-1'), label)
  t.same((await app.json('/api/infinstor/labels?bucket=hist')).map((l: { name: string }) => l.name), ['snap-1'])
  t.same(await app.json('/api/infinstor/labels?bucket=plain'), [])
  t.same(await app.json('/api/infinstor/specs?text=snap-1&bucket=hist'), { canonical: 'snap-1', kind: 'label', bucket: 'hist', prefix: dir, spec: iso(i), t: iso(i) })
  t.equal((await app.fetch('/api/infinstor/specs?text=snap-1&bucket=plain')).status, 404, 'a label of another bucket')

  // The label is a view rooted at its folder.
  const { first, items } = await allPages<Entry>(app, `/api/infinstor/buckets/hist/files?spec=snap-1`, 'entries', 3)
  t.match(first.view, { kind: 'at', label: 'snap-1', root: dir })
  t.same(items.map(e => dir + e.key).sort(), listedFiles(want).filter(k => k.startsWith(dir)), 'files of the label, relative to its folder')
  const root = await app.json<DirReply>('/api/infinstor/buckets/hist/dir?spec=snap-1&limit=1000')
  t.equal(root.mountPath, '/mnt/infinstor/hist/@snap-1')
  const vs = await app.json(`/api/infinstor/buckets/hist/diff?a=snap-1&b=${q(iso(last))}&limit=1000`)
  const fwd = diff(h, i, last)
  t.same(vs.changes.map((c: { key: string }) => dir + c.key).sort(), [...fwd.added, ...fwd.modified, ...fwd.deleted].filter(k => k.startsWith(dir)).sort(), 'diff from a label covers its folder')

  const refused = async (body: unknown, status: number, message: RegExp): Promise<void> => {
    const res = await post(body)
    t.equal(res.status, status, JSON.stringify(body))
    t.match((await res.json()).message, message)
  }
  await refused({ name: 'snap-1', bucket: 'hist', path: '', spec: iso(i) }, 409, /already exists/)
  await refused({ name: '2024-01-01', bucket: 'hist', path: '', spec: iso(i) }, 400, /looks like a time/)
  await refused({ name: 'bad name', bucket: 'hist', path: '', spec: iso(i) }, 400, /not a valid label name/)
  await refused({ name: 'now', bucket: 'hist', path: '', spec: 'latest' }, 400, /never 'latest'/)
  await refused({ name: 'nothing', bucket: 'hist', path: 'no/such/', spec: iso(i) }, 404, /holds nothing/)
  await refused({ name: 'x', bucket: 'hist' }, 400, /'spec' must be text/)
  await refused('just text', 400, /must be a JSON object: send \{"name"/)

  const unforced = await app.fetch('/api/infinstor/labels/snap-1', { method: 'DELETE' })
  t.equal(unforced.status, 400)
  t.match((await unforced.json()).message, /permanent.*force=1/)
  const gone = await app.fetch('/api/infinstor/labels/snap-1?force=1', { method: 'DELETE' })
  t.equal(gone.status, 200)
  t.match(await gone.json(), { name: 'snap-1', deleted: true })
  const after = await app.fetch('/api/infinstor/labels/snap-1')
  t.equal(after.status, 404)
  t.match((await after.json()).message, /deleted/)
  t.same(await app.json('/api/infinstor/labels'), [])
  await refused({ name: 'snap-1', bucket: 'hist', path: '', spec: iso(i) }, 409, /never reused/)
  t.equal((await app.fetch('/api/infinstor/labels/nope?force=1', { method: 'DELETE' })).status, 404)
  t.match((await app.json('/api/infinstor/info')).labelStore, /labels\.json$/)
})

t.test('binning is in whole seconds and covers both ends', async t => {
  const { binMs, bins } = binEvents([{ t: 10_500, deleted: false }, { t: 19_999, deleted: true }, { t: 25_000, deleted: false }], 10_200, 19_999, 4)
  t.equal(binMs, 3000)
  t.same(bins.map(b => [b.writes, b.deletes]), [[1, 0], [0, 0], [0, 0], [0, 1]])
  t.equal(bins[0].t, '1970-01-01T00:00:10Z')
})

t.test('specs: canonical forms, and the accepted forms when wrong', async t => {
  t.same(await app.json('/api/infinstor/specs?text=2022-12-06T05:30:00%2B05:30'), { canonical: '2022-12-06T00:00:00Z', kind: 'at', t: '2022-12-06T00:00:00Z' })
  t.same(await app.json('/api/infinstor/specs?text=tm20221206000000-tm20221207000000'),
    { canonical: '2022-12-06T00:00:00Z..2022-12-07T00:00:00Z', kind: 'slice', from: '2022-12-06T00:00:00Z', to: '2022-12-07T00:00:00Z' })
  t.same(await app.json('/api/infinstor/specs?text=latest&bucket=hist'), { canonical: 'latest', kind: 'latest' })
  const bad = await app.fetch('/api/infinstor/specs?text=2022-13-01')
  t.equal(bad.status, 400)
  t.match(await bad.json(), { reason: 'BadSpec', message: /Accepted forms/ })
  const future = await app.fetch('/api/infinstor/specs?text=2999-01-01')
  t.equal(future.status, 400)
  t.match(await future.json(), { reason: 'FutureTime' })
  const naive = await app.fetch('/api/infinstor/specs?text=2022-12-06T10:00:00')
  t.match(await naive.json(), { message: /add Z/ })
})

/** A request with the path exactly as given (fetch would normalise some of it). */
async function raw (path: string, init: { method?: string, body?: string } = {}): Promise<{ status: number, text: string }> {
  return await new Promise((resolve, reject) => {
    const req = request(app.url + path, { method: init.method ?? 'GET', headers: { Authorization: `token ${TOKEN}` } }, res => {
      let text = ''
      res.setEncoding('utf8').on('data', (c: string) => { text += c }).on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

t.test('bad input in a path or a body is a 400 that says so, never a 500', async t => {
  for (const path of ['/api/infinstor/buckets/%ZZ/dir', '/api/infinstor/labels/%ZZ', '/ui/%E0%A4%A', '/ui/assets/..%00/etc/passwd',
    '/api/infinstor/buckets/hist%00/dir', '/api/contents/hist/%E0%A4%A', '/files/hist/%ZZ']) {
    const res = await raw(path)
    t.equal(res.status, 400, path)
    t.match(JSON.parse(res.text), { reason: 'Usage', message: /percent-encoding|NUL/ }, `${path}: ${res.text}`)
    t.notMatch(res.text, /internal|argument|Received/i, 'no internal message')
  }
  for (const body of ['null', '[]', '3', '"on"', '{"enabled":']) {
    const res = await raw('/api/infinstor/buckets/hist/versioning', { method: 'PUT', body })
    t.equal(res.status, 400, `versioning body ${body}: ${res.text}`)
  }
  t.equal((await raw('/api/infinstor/labels', { method: 'POST', body: 'null' })).status, 400, 'a label body of null')
})

t.test('the dashboard is served at /ui/, and only what is in its folder', async t => {
  const dir = tempDir(t, 'ui')
  await mkdir(join(dir, 'assets'))
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>x</title>')
  await writeFile(join(dir, 'assets', 'app-1.js'), 'console.log(1)')
  const router = new Router()
  staticRoutes(router, dir)
  const s = await listen(router, { host: '127.0.0.1', port: 0, token: TOKEN, allowOrigins: [] })
  t.teardown(s.close)
  const page = await fetch(`${s.url}/ui?token=${TOKEN}`, { redirect: 'manual' })
  t.equal(page.status, 302)
  t.equal(page.headers.get('location'), `/ui/?token=${TOKEN}`)
  const index = await fetch(`${s.url}/ui/?token=${TOKEN}`)
  t.equal(index.headers.get('content-type'), 'text/html; charset=utf-8')
  t.match(index.headers.get('set-cookie'), /HttpOnly/, 'the token in the URL logs the browser in')
  t.equal(index.headers.get('cache-control'), 'no-cache')
  const js = await fetch(`${s.url}/ui/assets/app-1.js`, { headers: { Authorization: `token ${TOKEN}` } })
  t.match(js.headers.get('content-type'), /javascript/)
  t.match(js.headers.get('cache-control'), /immutable/)
  const status = await new Promise<number>((resolve, reject) => {
    request({ host: '127.0.0.1', port: s.port, path: '/ui/%2e%2e/%2e%2e/package.json', headers: { Authorization: `token ${TOKEN}` } },
      res => { res.resume(); resolve(res.statusCode ?? 0) }).on('error', reject).end()
  })
  t.equal(status, 404, 'no way out of the folder')
  t.equal((await fetch(`${s.url}/ui/`)).status, 401, 'the token is required')
  const empty = new Router()
  staticRoutes(empty, join(dir, 'missing'))
  const s2 = await listen(empty, { host: '127.0.0.1', port: 0, token: TOKEN, allowOrigins: [] })
  t.teardown(s2.close)
  t.match(await (await fetch(`${s2.url}/ui/?token=${TOKEN}`)).json(), { message: /not built.*setup.sh/ })
})
