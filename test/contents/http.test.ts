// The Jupyter contents API over raw HTTP, against real S3 (moto): models,
// formats, notebooks, limits, downloads, checkpoints, writes, errors, auth.
import { CreateBucketCommand, DeleteObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { client, serveContents, TOKEN } from '../helpers/contents-server.js'
import { sha } from '../helpers/history.js'
import { BIN, s3env } from '../helpers/s3env.js'
import { tempDir } from '../helpers/temp.js'

interface Model {
  name: string, path: string, type: string, writable: boolean, created: string, last_modified: string,
  mimetype: string | null, size: number | null, format: string | null, content: unknown, hash?: string | null, hash_algorithm?: string | null
}

async function nextSecond (): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20))
}

const CSV_OLD = 'a,b\n1,2\n'
const CSV_NEW = 'a,b\n3,4\n'
const BLOB = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), randomBytes(500)])
const HUGE = randomBytes(9 * 1024 * 1024 + 12345)
const NOTEBOOK = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', source: 'print(1)', metadata: {}, outputs: [], execution_count: null }] }
const LIMIT = 1024 * 1024

t.test('contents API', async t => {
  const env = await s3env(t)
  const put = async (key: string, body: string | Buffer): Promise<void> => {
    await env.raw.send(new PutObjectCommand({ Bucket: 'lab', Key: key, Body: body }))
  }
  await env.raw.send(new CreateBucketCommand({ Bucket: 'lab' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'lab', VersioningConfiguration: { Status: 'Enabled' } }))
  await env.raw.send(new CreateBucketCommand({ Bucket: 'plain' }))
  await put('data/train.csv', CSV_OLD)
  await put('bin/blob.dat', BLOB)
  await put('nb/good.ipynb', JSON.stringify(NOTEBOOK))
  await put('nb/bad.ipynb', '{"cells": [')
  await put('big/huge.bin', HUGE)
  await put('odd//name.txt', 'odd')
  await put('cp/checkpoints', 'a file named checkpoints')
  await put('cp/f.txt', 'f')
  await put('web/page.html', '<script>alert(1)</script>')
  await nextSecond()
  const t1 = formatInstant(Date.now())
  await nextSecond()
  await put('data/train.csv', CSV_NEW)
  await env.raw.send(new DeleteObjectCommand({ Bucket: 'lab', Key: 'bin/blob.dat' }))

  const secret = 'sekrit-' + randomBytes(8).toString('hex')
  process.env.AWS_SECRET_ACCESS_KEY = secret
  const served = await serveContents(t, env,
    { flags: { 'contents-max-bytes': LIMIT, 'mount-point': '/mnt/tt/', 's3-attempts': 2, 's3-timeout-ms': 1500 } })
  const { engine, labels } = served.services
  // t1 must be settled (older than the server time minus the 1 s margin) to be labelled.
  await new Promise(resolve => setTimeout(resolve, 1500))
  await labels.create(engine, 'v1', `s3://lab/data@${t1}`, 'the first training set')
  const bodies: string[] = []
  const http = client(served)
  const get = async (path: string, init?: RequestInit): Promise<{ status: number, body: any, headers: Headers }> => {
    const res = await http(path, init)
    const text = await res.text()
    bodies.push(text)
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers }
  }
  const names = (m: Model): string[] => {
    // An error reply says why, rather than failing on its shape.
    if (!Array.isArray(m?.content)) throw new Error(`not a listing: ${JSON.stringify(m)}`)
    return (m.content as Model[]).map(c => c.name)
  }

  await t.test('root, bucket and view listings', async t => {
    const root = await get('/api/contents')
    t.equal(root.status, 200)
    t.same([root.body.type, root.body.path, root.body.name, root.body.writable], ['directory', '', '', false])
    t.same(names(root.body), ['lab', 'plain'], 'only buckets: the mount\'s @labels links are not shown')
    t.equal((await get('/api/contents/')).status, 200, 'a trailing slash is fine')
    const bucket = await get('/api/contents/lab')
    t.same(names(bucket.body), ['@latest', '@v1'], 'the bucket lists @latest and its labels')
    t.same(bucket.body.content.find((c: Model) => c.name === '@latest').path, 'lab/@latest')
    const view = await get('/api/contents/lab/@latest')
    t.same(names(view.body), ['big', 'cp', 'data', 'nb', 'odd', 'web'])
    t.same(names((await get(`/api/contents/lab/@${encodeURIComponent(t1)}/bin`)).body), ['blob.dat'], 'a past view shows a deleted file')
    t.equal((await get('/api/contents/lab/@latest/bin')).status, 404, 'and latest does not')
    const odd = await get('/api/contents/lab/@latest/odd')
    t.same(names(odd.body), ['／'], 'odd keys are named as the mount names them')
    const inner = await get(`/api/contents/lab/@latest/odd/${encodeURIComponent('／')}/name.txt`)
    t.equal(inner.body.content, 'odd')
    const bare = await get('/api/contents/lab/@latest/data?content=0')
    t.same([bare.body.type, bare.body.content, bare.body.format], ['directory', null, null])
    for (const child of view.body.content as Model[]) {
      t.same([child.content, child.format, child.writable], [null, null, false], `child ${child.name} has no content`)
    }
  })

  await t.test('files at two times, text and base64', async t => {
    const old = await get(`/api/contents/lab/@${t1}/data/train.csv`)
    t.same([old.body.type, old.body.format, old.body.content, old.body.mimetype, old.body.size],
      ['file', 'text', CSV_OLD, 'text/csv', CSV_OLD.length])
    t.equal((await get('/api/contents/lab/@latest/data/train.csv')).body.content, CSV_NEW)
    t.ok(Date.parse(old.body.last_modified) <= Date.parse(t1))
    const blob = await get(`/api/contents/lab/@${t1}/bin/blob.dat`)
    t.same([blob.body.format, blob.body.mimetype], ['base64', 'application/octet-stream'])
    t.same(Buffer.from(blob.body.content, 'base64'), BLOB)
    const asText = await get(`/api/contents/lab/@${t1}/bin/blob.dat?format=text`)
    t.equal(asText.status, 400)
    t.match(asText.body.message, /not UTF-8/)
    const b64 = await get('/api/contents/lab/@latest/data/train.csv?format=base64&type=file')
    t.equal(Buffer.from(b64.body.content, 'base64').toString(), CSV_NEW)
    const hashed = await get('/api/contents/lab/@latest/data/train.csv?content=0&hash=1')
    t.same([hashed.body.content, hashed.body.hash, hashed.body.hash_algorithm], [null, sha(Buffer.from(CSV_NEW)), 'sha256'])
    t.notOk('hash' in (await get('/api/contents/lab/@latest/data/train.csv')).body, 'no hash unless asked')
  })

  await t.test('a label is a view rooted at its path', async t => {
    const view = await get('/api/contents/lab/@v1')
    t.same([view.status, names(view.body)], [200, ['train.csv']])
    t.equal((await get('/api/contents/lab/@v1/train.csv')).body.content, CSV_OLD, 'as of the label\'s time')
    t.equal((await get('/api/contents/@labels')).status, 404)
  })

  await t.test('impossible types and formats are 400', async t => {
    t.equal((await get('/api/contents/lab/@latest/data?type=file')).status, 400)
    t.equal((await get('/api/contents/lab/@latest/data/train.csv?type=directory')).status, 400)
    t.equal((await get('/api/contents/lab/@latest/data/train.csv?format=json')).status, 400)
    t.equal((await get('/api/contents/lab/@latest/data/train.csv?type=notebook')).status, 400)
    t.equal((await get('/api/contents/lab/@latest/data/train.csv?type=bogus')).status, 400)
    t.equal((await get('/api/contents/lab/@latest/data/train.csv?content=2')).status, 400, 'content is 0 or 1, as in Jupyter')
    t.equal((await get('/api/contents/lab?content=2')).status, 400, 'also for a directory')
    t.equal((await get('/api/contents/lab/@latest/data/train.csv?hash=true')).status, 400, 'hash is 0 or 1')
  })

  await t.test('notebooks', async t => {
    const nb = await get('/api/contents/lab/@latest/nb/good.ipynb')
    t.same([nb.body.type, nb.body.format, nb.body.mimetype, nb.body.content], ['notebook', 'json', null, NOTEBOOK])
    const listing = await get('/api/contents/lab/@latest/nb')
    t.same((listing.body.content as Model[]).map(c => c.type), ['notebook', 'notebook'])
    const bad = await get('/api/contents/lab/@latest/nb/bad.ipynb')
    t.equal(bad.status, 400)
    t.match(bad.body.message, /not a readable notebook.*type=file/)
    const asFile = await get('/api/contents/lab/@latest/nb/bad.ipynb?type=file')
    t.same([asFile.status, asFile.body.type, asFile.body.content], [200, 'file', '{"cells": ['])
  })

  await t.test('large files: 413 naming the mount path; /files streams them', async t => {
    const gets = (): number => engine.requests.get('GetObject') ?? 0
    const before = gets()
    const big = await get('/api/contents/lab/@latest/big/huge.bin')
    t.equal(big.status, 413)
    t.equal(gets(), before, 'refused before reading a byte')
    t.match(big.body.message, '/mnt/tt/lab/@latest/big/huge.bin')
    t.match(big.body.message, 'contents-max-bytes')
    t.equal((await get('/api/contents/lab/@latest/big/huge.bin?hash=1&content=0')).status, 413, 'hashing is bounded too')
    const meta = await get('/api/contents/lab/@latest/big/huge.bin?content=0')
    t.same([meta.status, meta.body.size], [200, HUGE.length], 'the model without content is fine')
    const res = await http('/files/lab/@latest/big/huge.bin')
    t.equal(res.status, 200)
    t.equal(res.headers.get('content-length'), String(HUGE.length))
    t.equal(res.headers.get('content-type'), 'application/octet-stream')
    t.equal(sha(Buffer.from(await res.arrayBuffer())), sha(HUGE), 'the download is byte-exact across chunks')
    const csv = await http(`/files/lab/@${t1}/data/train.csv?download=1`)
    t.equal(await csv.text(), CSV_OLD)
    t.match(csv.headers.get('content-disposition') ?? '', /^attachment; filename\*=UTF-8''train\.csv$/)
    const html = await http('/files/lab/@latest/web/page.html')
    t.match(html.headers.get('content-security-policy'), /^sandbox;/, 'bucket HTML cannot run as this origin')
    t.equal(html.headers.get('x-content-type-options'), 'nosniff')
    await html.arrayBuffer()
    t.equal((await get('/files/lab/@latest/data')).status, 404, 'a directory is not a download')
    const head = await http('/files/lab/@latest/data/train.csv', { method: 'HEAD' })
    t.same([head.status, head.headers.get('content-length')], [200, String(CSV_NEW.length)])
  })

  await t.test('checkpoints', async t => {
    const cps = await get('/api/contents/lab/@latest/data/train.csv/checkpoints')
    t.same([cps.status, cps.body], [200, []])
    const file = await get('/api/contents/lab/@latest/cp/checkpoints')
    t.same([file.status, file.body.type, file.body.content], [200, 'file', 'a file named checkpoints'],
      'an entry named checkpoints in a directory stays reachable')
  })

  await t.test('every write is refused with 403', async t => {
    const count = async (): Promise<number> => {
      const out = await env.raw.send(new ListObjectVersionsCommand({ Bucket: 'lab' }))
      return (out.Versions?.length ?? 0) + (out.DeleteMarkers?.length ?? 0)
    }
    const before = await count()
    const model = JSON.stringify({ type: 'file', format: 'text', content: 'x' })
    for (const [method, path] of [
      ['PUT', '/api/contents/lab/@latest/data/train.csv'],
      ['PUT', '/api/contents/lab/@latest/data/new.txt'],
      ['POST', '/api/contents/lab/@latest/data'],
      ['PATCH', '/api/contents/lab/@latest/data/train.csv'],
      ['DELETE', '/api/contents/lab/@latest/data/train.csv'],
      ['POST', '/api/contents/lab/@latest/data/train.csv/checkpoints'],
      ['POST', '/api/contents/lab/@latest/data/train.csv/checkpoints/abc'],
      ['DELETE', '/api/contents/lab/@latest/data/train.csv/checkpoints/abc'],
      ['PUT', '/files/lab/@latest/data/train.csv'],
      ['DELETE', '/api/contents']
    ]) {
      const r = await get(path, { method, body: method === 'DELETE' ? undefined : model })
      t.equal(r.status, 403, `${method} ${path}`)
      t.same(r.body.reason, 'ReadOnly')
      t.match(r.body.message, /read-only/)
    }
    t.equal(await count(), before, 'nothing was written to S3')
  })

  await t.test('404s and other errors say what is wrong', async t => {
    const cases: Array<[string, number, RegExp]> = [
      ['/api/contents/nosuch', 404, /bucket nosuch does not exist/],
      ['/api/contents/nosuch/@latest/x', 404, /bucket nosuch does not exist/],
      ['/api/contents/lab/@nolabel', 404, /no label named 'nolabel'/],
      ['/api/contents/lab/@2024-13-45', 404, /bad time spec/],
      ['/api/contents/lab/@2999-01-01', 404, /in the future/],
      ['/api/contents/lab/data', 404, /@/],
      ['/api/contents/lab/@latest/data/missing.csv', 404, /missing\.csv/],
      [`/api/contents/lab/@${t1}/data/train.csv/more`, 404, /not a directory|does not exist/],
      ['/api/contents/plain/@2020-01-01', 409, /versioning/]
    ]
    for (const [path, status, message] of cases) {
      const r = await get(path)
      t.equal(r.status, status, path)
      t.match(r.body?.message, message, path)
    }
  })

  await t.test('token and CORS', async t => {
    const none = await fetch(served.url + '/api/contents/lab/@latest')
    t.equal(none.status, 401)
    bodies.push(await none.text())
    const wrong = await fetch(served.url + '/api/contents', { headers: { Authorization: 'token nope' } })
    t.equal(wrong.status, 401)
    const files = await fetch(served.url + '/files/lab/@latest/data/train.csv')
    t.equal(files.status, 401, 'downloads need the token too')
    const query = await fetch(`${served.url}/files/lab/@latest/data/train.csv?token=${TOKEN}`)
    t.equal(await query.text(), CSV_NEW, 'a download link may carry ?token=')
    const cross = await get('/api/contents', { headers: { Origin: 'http://evil.example' } })
    t.equal(cross.headers.get('access-control-allow-origin'), null)
  })

  await t.test('S3 faults are 5xx with a message, after bounded retries; the server recovers', async t => {
    // Past the live listings' lifetime (tree and engine), @latest must ask S3 again.
    const outlive = async (): Promise<void> => { await new Promise(resolve => setTimeout(resolve, 2100)) }
    await env.moto.stop()
    await outlive()
    const r = await get('/api/contents/lab/@latest/data/train.csv')
    t.ok(r.status >= 500 && r.status < 600, `status ${r.status}`)
    t.match(r.body.message, /S3.*(failed|timed out)/)
    const restarted = await (await import('../../src/demo/moto.js')).startMoto({ port: env.moto.port })
    t.teardown(restarted.stop)
    await outlive()
    const after = await get('/api/contents/lab/@latest')
    t.equal(after.status, 404, 'moto lost its data, and the server says so instead of failing')
  })

  for (const body of bodies) {
    if (body.includes(secret) || body.includes(TOKEN)) t.fail(`a response leaked a credential: ${body.slice(0, 200)}`)
  }
  t.pass(`${bodies.length} response bodies carry no credential or token`)
})

t.test('infinstor serve: --port, --token and INFINSTOR_TOKEN', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'cli-serve' }))
  const config = tempDir(t, 'serve')
  const start = async (args: string[]): Promise<{ url: string, stop: () => Promise<number | null> }> => {
    const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
      env: { ...env.env, XDG_CONFIG_HOME: config, INFINSTOR_TOKEN: 'from-env' }, stdio: ['ignore', 'pipe', 'pipe']
    })
    const stop = async (): Promise<number | null> => {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM')
        await once(proc, 'exit')
      }
      return proc.exitCode
    }
    t.teardown(stop)
    let out = ''
    proc.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
    const started = Date.now()
    while (!/serving on (\S+)/.test(out)) {
      if (proc.exitCode !== null || Date.now() - started > 30_000) throw new Error(`serve did not start: ${out}`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    return { url: (/serving on (\S+)/.exec(out) as RegExpExecArray)[1], stop }
  }
  const status = async (url: string, token: string): Promise<number> =>
    (await fetch(`${url}/api/contents`, { headers: { Authorization: `token ${token}` } })).status

  const byEnv = await start([])
  t.equal(await status(byEnv.url, 'from-env'), 200, 'INFINSTOR_TOKEN is the token')
  t.equal(await status(byEnv.url, 'other'), 401)
  t.equal(await byEnv.stop(), 0, 'SIGTERM stops it cleanly')
  const byFlag = await start(['--token', 'from-flag'])
  t.equal(await status(byFlag.url, 'from-flag'), 200, '--token wins over the environment')
  t.equal(await status(byFlag.url, 'from-env'), 401)
})
