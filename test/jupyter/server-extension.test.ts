// The server extension in a real `jupyter server` (from the test venv, base_url /user/alice/ as on
// JupyterHub), through its HTTP API with Jupyter's token and XSRF rules: it starts a daemon of its own
// and stops it with the server, serves the drive's API equal to the history's oracle, never shows the
// daemon's token, reuses a running mount's server, and writes a kernel's lineage into a notebook on save.
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { freePort } from '../../src/demo/moto.js'
import { snapshot } from '../helpers/history.js'
import { prepareLab, type Lab } from '../helpers/jupyterlab.js'
import { mountTree } from '../helpers/mount.js'
import { s3env } from '../helpers/s3env.js'
import { buildTextHistory, childrenOf } from '../helpers/texthistory.js'
import { REPO, runCells, versionAt } from './oracle.js'
import { tempDir } from '../helpers/temp.js'

const BUCKET = 'ext-lab'
const seed = Number(process.env.INFINSTOR_SEED ?? Date.now() % 100_000)
t.comment(`seed ${seed} (INFINSTOR_SEED=${seed} replays this history)`)

const s3 = await s3env(t)
const h = await buildTextHistory(s3.raw, BUCKET, seed)
await new Promise(resolve => setTimeout(resolve, 2500))
const second = (ms: number): number => Math.floor(ms / 1000) * 1000

const home = tempDir(t, 'ext')
const xdg = { XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state') }
const labEnv = { ...s3.env, ...xdg, INFINSTOR_HOME: REPO, INFINSTOR_CONFIG: join(home, 'none.json') }
const lab = await prepareLab(t, { serverOnly: true, baseUrl: '/user/alice/', env: labEnv })
await lab.start()
t.teardown(() => { if (t.passing() === false) t.comment(`jupyter server log:\n${lab.log()}`) })

/** Every reply seen, to look for the daemon's token in all of them. */
const seen: string[] = []

async function call (target: Lab, path: string, init: RequestInit & { auth?: 'token' | 'none' } = {}): Promise<{ status: number, body: string, headers: Headers, buffer: Buffer }> {
  const headers = new Headers(init.headers)
  if ((init.auth ?? 'token') === 'token') headers.set('Authorization', `token ${target.token}`)
  const res = await fetch(target.url + path, { ...init, headers, redirect: 'manual' })
  const buffer = Buffer.from(await res.arrayBuffer())
  seen.push([...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n') + '\n\n' + buffer.toString('latin1'))
  return { status: res.status, body: buffer.toString('utf8'), headers: res.headers, buffer }
}

interface Health { daemon: { source: string, url: string, version: string, endpoint: string, pid?: number }, mount: { mountpoint: string, sharesCache: boolean } | null }
const health = JSON.parse((await call(lab, 'infinstor/health')).body) as Health
const daemonPid = health.daemon.pid ?? -1
const daemonToken = /(?:^|\0)INFINSTOR_TOKEN=([^\0]*)/.exec(await readFile(`/proc/${daemonPid}/environ`, 'utf8').catch(() => ''))?.[1]

t.test('without Jupyter\'s login nothing gets through', async t => {
  for (const path of ['infinstor/health', `infinstor/api/contents/${BUCKET}`, `infinstor/files/${BUCKET}/@latest/train.csv`, 'infinstor/api/infinstor/info']) {
    t.equal((await call(lab, path, { auth: 'none' })).status, 403, path)
  }
  t.equal((await call(lab, 'infinstor/api/infinstor/labels', { auth: 'none', method: 'POST', body: '{}' })).status, 403)
})

t.test('health: the daemon the extension started (a loopback port of its own), and no mount', async t => {
  t.equal(health.daemon.source, 'started')
  t.equal(health.daemon.version, '0.1.0')
  t.equal(health.daemon.endpoint, s3.endpoint, 'the S3 endpoint of the Jupyter server\'s environment')
  t.match(health.daemon.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.equal(health.mount, null)
  t.doesNotThrow(() => process.kill(daemonPid, 0), 'the daemon runs')
  t.ok(daemonToken !== undefined && daemonToken.length >= 32, 'it has a token of its own')
})

t.test('the drive\'s API through Jupyter: every step\'s listing and files equal the oracle', async t => {
  for (let i = 0; i < h.at.length; i++) {
    const spec = formatInstant(second(h.at[i]))
    const state = snapshot(h, i)
    const dir = await call(lab, `infinstor/api/contents/${BUCKET}/@${spec}?content=1`)
    t.equal(dir.status, 200)
    const names = (JSON.parse(dir.body).content as Array<{ name: string }>).map(c => c.name).sort()
    t.same(names, childrenOf(state), `listing at step ${i}`)
    for (const [key, body] of state) {
      const file = await call(lab, `infinstor/files/${BUCKET}/@${encodeURIComponent(spec)}/${key}`)
      t.equal(file.status, 200)
      t.ok(file.buffer.equals(body), `${key} at step ${i}`)
    }
  }
  const head = await call(lab, `infinstor/files/${BUCKET}/@latest/train.csv`, { method: 'HEAD' })
  t.equal(head.headers.get('content-length'), String(snapshot(h, h.at.length - 1).get('train.csv')?.length))
  t.match(head.headers.get('content-type'), /text\/csv/)
  t.match(head.headers.get('content-security-policy'), /sandbox/, 'the daemon\'s sandbox for downloads stays')
  const refused = await call(lab, `infinstor/api/contents/${BUCKET}/@latest/new.txt`, { method: 'PUT', body: '{"type":"file","format":"text","content":"x"}' })
  t.equal(refused.status, 403)
  t.match(JSON.parse(refused.body).message, /read-only/, 'writes get the daemon\'s own refusal')
  t.equal((await call(lab, 'infinstor/ui/index.html')).status, 404, 'only the drive\'s paths are proxied')

  // The version list the drive shows: a key's log, newest first, as S3 lists it.
  const listed = await s3.raw.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: 'train.csv' }))
  const expected = [
    ...(listed.Versions ?? []).map(v => ({ id: v.VersionId, t: v.LastModified?.getTime() ?? 0, deleted: false })),
    ...(listed.DeleteMarkers ?? []).map(v => ({ id: v.VersionId, t: v.LastModified?.getTime() ?? 0, deleted: true }))
  ].sort((a, b) => b.t - a.t)
  const log = JSON.parse((await call(lab, `infinstor/api/infinstor/buckets/${BUCKET}/log?key=train.csv`)).body) as { versions: Array<{ versionId: string, deleted: boolean }> }
  t.same(log.versions.map(v => [v.versionId, v.deleted]), expected.map(v => [v.id, v.deleted]), 'train.csv\'s log')
  const missing = await call(lab, `infinstor/api/infinstor/buckets/${BUCKET}/log?key=no/such.csv`)
  t.equal(missing.status, 404)
  t.match(JSON.parse(missing.body).message, 'no/such.csv has no history')
})

t.test('XSRF: state changes by cookie need the XSRF token; by token they do not', async t => {
  const login = (await call(lab, 'api/status')).headers.getSetCookie().map(c => c.split(';')[0]).find(c => c.startsWith('username-'))
  t.ok(login, 'Jupyter set its login cookie')
  const xsrf = 'e2e' + Math.random().toString(16).slice(2)
  const cookie = `${login ?? ''}; _xsrf=${xsrf}`
  const labelBody = (name: string): string => JSON.stringify({ name, bucket: BUCKET, path: '', spec: formatInstant(second(h.at[0])) })
  const noXsrf = await call(lab, 'infinstor/api/infinstor/labels', { auth: 'none', method: 'POST', headers: { Cookie: cookie }, body: labelBody('by-cookie') })
  t.equal(noXsrf.status, 403, 'cookie without XSRF token: refused by Jupyter')
  t.match(noXsrf.body, /_xsrf/)
  const withXsrf = await call(lab, 'infinstor/api/infinstor/labels', {
    auth: 'none', method: 'POST', headers: { Cookie: cookie, 'X-XSRFToken': xsrf, 'Content-Type': 'application/json' }, body: labelBody('by-cookie')
  })
  t.equal(withXsrf.status, 201, withXsrf.body)
  const byToken = await call(lab, 'infinstor/api/infinstor/labels', { method: 'POST', body: labelBody('by-token') })
  t.equal(byToken.status, 201, byToken.body)
  t.same(JSON.parse((await call(lab, `infinstor/api/infinstor/labels?bucket=${BUCKET}`)).body).map((l: { name: string }) => l.name).sort(), ['by-cookie', 'by-token'])

  const file = `infinstor/files/${BUCKET}/@latest/train.csv`
  t.equal((await call(lab, file, { auth: 'none', headers: { Cookie: cookie } })).status, 403, 'a download by cookie alone is refused, as Jupyter\'s /files')
  t.equal((await call(lab, `${file}?_xsrf=${xsrf}`, { auth: 'none', headers: { Cookie: cookie } })).status, 200, 'with the XSRF token it is served')
})

t.test('the daemon\'s token never reaches a client', async t => {
  t.ok(seen.length > 20)
  t.same(seen.filter(r => daemonToken !== undefined && r.includes(daemonToken)), [])
})

const mountPort = await freePort()
t.test('with a mount running: the drive uses the mount\'s server, and the daemon went with the old server', async t => {
  const mount = await mountTree(t, s3, { buckets: [BUCKET], args: ['--port', String(mountPort)], extraEnv: xdg })
  await lab.stop()
  let gone = false
  for (const deadline = Date.now() + 15_000; Date.now() < deadline && !gone;) {
    try { process.kill(daemonPid, 0) } catch { gone = true }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  t.ok(gone, 'the daemon the extension started stopped with the Jupyter server')
  await lab.start()
  const now = JSON.parse((await call(lab, 'infinstor/health')).body) as Health
  t.equal(now.daemon.source, 'mount')
  t.equal(now.daemon.url, `http://127.0.0.1:${mountPort}`)
  t.same(now.mount, { mountpoint: mount.dir, pid: mount.proc.pid, sharesCache: true })
  const spec = formatInstant(second(h.at[1]))
  const dir = JSON.parse((await call(lab, `infinstor/api/contents/${BUCKET}/@${spec}`)).body) as { content: Array<{ name: string }> }
  t.same(dir.content.map(c => c.name).sort(), childrenOf(snapshot(h, 1)), 'listings come from the mount\'s server')

  await lineageOnSave(t)
})

async function lineageOnSave (t: Test): Promise<void> {
  const notebook = { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }
  await writeFile(join(lab.root, 'lineage.ipynb'), JSON.stringify(notebook))
  const session = JSON.parse((await call(lab, 'api/sessions', {
    method: 'POST', body: JSON.stringify({ path: 'lineage.ipynb', type: 'notebook', name: '', kernel: { name: 'python3' } })
  })).body) as { kernel: { id: string } }
  const connection = join(lab.runtimeDir, `kernel-${session.kernel.id}.json`)
  const spec = formatInstant(second(h.at[2]))
  const [cell] = await runCells([`import infinstor\nprint(open(infinstor.path("${BUCKET}/train.csv", at="${spec}")).read(), end="")`], labEnv, connection)
  t.equal(cell.error, null, JSON.stringify(cell.error))
  t.equal(cell.stdout, snapshot(h, 2).get('train.csv')?.toString(), 'the kernel read the file through the mount')

  const save = async (): Promise<{ lineage?: Array<{ view: string, files: Array<{ key: string, version_id: string }> }> }> => {
    const put = await call(lab, 'api/contents/lineage.ipynb', { method: 'PUT', body: JSON.stringify({ type: 'notebook', format: 'json', content: notebook }) })
    t.equal(put.status, 200, put.body)
    return (JSON.parse(await readFile(join(lab.root, 'lineage.ipynb'), 'utf8')).metadata.infinstor ?? {})
  }
  const saved = await save()
  t.same(saved.lineage?.map(l => l.view), [`${BUCKET}@${spec}`])
  t.same(saved.lineage?.[0].files.map(f => [f.key, f.version_id]), [['train.csv', await versionAt(s3.raw, BUCKET, 'train.csv', Date.parse(spec))]],
    'the notebook records the version it read, as S3 names it')

  // A restarted kernel keeps its id; what its previous process read is not what this one read.
  t.equal((await call(lab, `api/kernels/${session.kernel.id}/restart`, { method: 'POST' })).status, 200)
  t.same(await save(), {}, 'after a restart, no stale lineage')
  t.ok((await readdir(lab.runtimeDir)).includes(`infinstor-lineage-${session.kernel.id}.json`))
}

t.test('a command setting that is wrong: the health says which setting, and how to fix it', async t => {
  const empty = tempDir(t, 'ext-nomount')
  const bad = await prepareLab(t, {
    serverOnly: true,
    env: { ...labEnv, XDG_STATE_HOME: empty },
    serverConfig: { InfinStorExtension: { command: ['/nonexistent/infinstor'] } }
  })
  await bad.start()
  const r = await call(bad, 'infinstor/health')
  t.equal(r.status, 503)
  const body = JSON.parse(r.body) as { message: string, fix: string[] }
  t.match(body.message, 'InfinStorExtension.command (/nonexistent/infinstor)')
  t.match(body.fix.join('\n'), /jupyter_server_config.py/)
  const proxied = await call(bad, `infinstor/api/contents/${BUCKET}`)
  t.equal(proxied.status, 503)
  t.match(JSON.parse(proxied.body).message, /InfinStorExtension.command/)
  await bad.stop()
})
