// Real S3 clients read random histories through the gateway of a real
// `infinstor serve`: boto3, pyarrow, polars, rclone, @aws-sdk/client-s3 and
// curl with presigned URLs, in both naming forms, at every step boundary,
// for slices and for a label, each equal to the oracle.
import { GetObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { serveGateway } from '../helpers/gateway.js'
import { buildHistory, sha, slice, snapshot, type History, type State } from '../helpers/history.js'
import { ensureClients, runPython } from '../helpers/pyclients.js'
import { s3env } from '../helpers/s3env.js'
import { buildTextHistory } from '../helpers/texthistory.js'

const DRIVER = fileURLToPath(new URL('./clients.py', import.meta.url))

interface View { id: string, spec: string, form: 'key' | 'path', state: State }

const tm = (ms: number): string => 'tm' + formatInstant(Math.floor(ms / 1000) * 1000).replace(/[-:TZ]/g, '')

/** Every step boundary (ISO in one form, tm in the other), two slices, a label and latest. */
function viewsOf (h: History, label: string, labelPrefix: string, labelStep: number): View[] {
  const views: View[] = []
  h.at.forEach((at, i) => {
    views.push({ id: `at${i}-key`, spec: formatInstant(at), form: 'key', state: snapshot(h, i) })
    views.push({ id: `at${i}-path`, spec: tm(at), form: 'path', state: snapshot(h, i) })
  })
  const last = h.at.length - 1
  views.push({ id: 'slice-key', spec: `${formatInstant(h.at[0])}..${formatInstant(h.at[last])}`, form: 'key', state: slice(h, 0, last) })
  views.push({ id: 'slice-path', spec: `${tm(h.at[1])}-${tm(h.at[last])}`, form: 'path', state: slice(h, 1, last) })
  const labelled: State = new Map()
  for (const [k, v] of snapshot(h, labelStep)) if (k.startsWith(labelPrefix)) labelled.set(k.slice(labelPrefix.length), v)
  views.push({ id: 'label-key', spec: label, form: 'key', state: labelled })
  views.push({ id: 'label-path', spec: label, form: 'path', state: labelled })
  views.push({ id: 'latest-path', spec: 'latest', form: 'path', state: snapshot(h, last) })
  return views
}

function hashes (state: State, keep: (key: string) => boolean): Record<string, string> {
  return Object.fromEntries([...state].filter(([k]) => keep(k)).map(([k, v]) => [k, sha(v)]).sort(([a], [b]) => a < b ? -1 : 1))
}

function sorted (o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a < b ? -1 : 1))
}

/**
 * Keys a file-system-shaped client cannot name: an empty, '.' or '..'
 * segment, or a trailing '/' (a folder marker to them). The gateway serves
 * them (boto3, the JS SDK and curl read them all); these clients skip them.
 */
const pathLike = (key: string): boolean => !key.endsWith('/') && !key.split('/').some(s => s === '' || s === '.' || s === '..')

t.test('real clients through the gateway', async t => {
  await ensureClients()
  const env = await s3env(t)
  const h = await buildHistory(env.raw, 'hist', { seed: 1515, steps: 5 })
  const text = await buildTextHistory(env.raw, 'text', 1516, 4)
  const gw = await serveGateway(t, env)
  await new Promise(resolve => setTimeout(resolve, 1500)) // labels name settled history only
  for (const [name, target] of [['hist-dir', `s3://hist/dir@${formatInstant(h.at[2])}`], ['text-q4', `s3://text/q4@${formatInstant(text.at[1])}`]]) {
    const made = await env.cli(['label', 'create', name, target], gw.env)
    t.equal(made.code, 0, made.stderr)
  }
  const views = viewsOf(h, 'hist-dir', 'dir/', 2)
  const textViews = viewsOf(text, 'text-q4', 'q4/', 1)
  const job = (bucket: string, vs: View[]): unknown => ({
    endpoint: gw.url, key: gw.creds.accessKeyId, secret: gw.creds.secretAccessKey, bucket, region: 'eu-central-1',
    views: vs.map(({ id, spec, form }) => ({ id, spec, form }))
  })
  const compare = (t: Test, client: string, got: Record<string, Record<string, string>>, vs: View[], keep: (k: string) => boolean): void => {
    for (const v of vs) t.same(sorted(got[v.id] ?? {}), hashes(v.state, keep), `${client}: ${v.id} (@${v.spec})`)
  }

  await t.test('boto3', async t => {
    compare(t, 'boto3', await runPython(DRIVER, ['boto3'], job('hist', views)), views, () => true)
  })

  await t.test('pyarrow', async t => {
    compare(t, 'pyarrow', await runPython(DRIVER, ['pyarrow'], job('hist', views)), views, pathLike)
  })

  await t.test('@aws-sdk/client-s3', async t => {
    const got: Record<string, Record<string, string>> = {}
    for (const v of views) {
      const client = new S3Client({ endpoint: gw.url + (v.form === 'path' ? `/@${v.spec}` : ''), forcePathStyle: true, region: 'us-west-2', credentials: gw.creds })
      const base = v.form === 'key' ? `@${v.spec}/` : ''
      got[v.id] = {}
      for await (const page of paginateListObjectsV2({ client, pageSize: 4 }, { Bucket: 'hist', Prefix: base })) {
        for (const o of page.Contents ?? []) {
          const body = await client.send(new GetObjectCommand({ Bucket: 'hist', Key: o.Key }))
          got[v.id][(o.Key as string).slice(base.length)] = sha(await (body.Body as any).transformToByteArray())
        }
      }
      client.destroy()
    }
    compare(t, '@aws-sdk/client-s3', got, views, () => true)
  })

  await t.test('curl with presigned URLs (botocore)', async t => {
    const urls = await runPython<Record<string, Record<string, string>>>(DRIVER, ['presign'], job('hist', views))
    const got: Record<string, Record<string, string>> = {}
    for (const v of views) {
      got[v.id] = {}
      for (const [key, url] of Object.entries(urls[v.id])) {
        const { stdout } = await promisify(execFile)('curl', ['-sSf', '--path-as-is', url], { encoding: 'buffer', maxBuffer: 1 << 26 })
        got[v.id][key] = sha(stdout)
      }
    }
    compare(t, 'curl', got, views, () => true)
  })

  await t.test('rclone', async t => {
    const got: Record<string, Record<string, string>> = {}
    for (const v of views) {
      const dir = await mkdtemp(join(tmpdir(), 'infinstor-rclone-'))
      const remote = {
        RCLONE_CONFIG_GW_TYPE: 's3', RCLONE_CONFIG_GW_PROVIDER: 'Other', RCLONE_CONFIG_GW_ENDPOINT: gw.url + (v.form === 'path' ? `/@${v.spec}` : ''),
        RCLONE_CONFIG_GW_ACCESS_KEY_ID: gw.creds.accessKeyId, RCLONE_CONFIG_GW_SECRET_ACCESS_KEY: gw.creds.secretAccessKey,
        RCLONE_CONFIG_GW_FORCE_PATH_STYLE: 'true', AWS_CA_BUNDLE: ''
      }
      const source = `gw:hist${v.form === 'key' ? `/@${v.spec}` : ''}`
      await promisify(execFile)('rclone', ['copy', source, dir, '--config', '/dev/null', '--low-level-retries', '1', '--retries', '1'],
        { env: { ...process.env, ...remote } }).catch((e: Error & { stderr?: string }) => {
        throw new Error(`rclone copy ${source}: ${e.message}\n${e.stderr ?? ''}`)
      })
      got[v.id] = {}
      for (const file of await readdir(dir, { recursive: true, withFileTypes: true })) {
        if (file.isFile()) got[v.id][relative(dir, join(file.parentPath, file.name))] = sha(await readFile(join(file.parentPath, file.name)))
      }
      await rm(dir, { recursive: true, force: true })
    }
    compare(t, 'rclone', got, views, pathLike)
  })

  await t.test('polars', async t => {
    const rows = await runPython<Record<string, Record<string, number[][]>>>(DRIVER, ['polars'], job('text', textViews))
    for (const v of textViews) {
      const want: Record<string, number[][]> = {}
      for (const [key, body] of v.state) {
        if (!key.endsWith('.csv')) continue
        want[key] = body.toString().trim().split('\n').slice(1).map(line => line.split(',').map(Number))
      }
      t.same(Object.fromEntries(Object.entries(rows[v.id]).sort()), Object.fromEntries(Object.entries(want).sort()), `polars: ${v.id} (@${v.spec})`)
    }
  })
})
