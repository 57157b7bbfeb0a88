// Ray Data on a local cluster with several workers reads Parquet through
// the gateway with pyarrow's S3FileSystem, at past times and through a
// label, in both naming forms, and gets exactly the oracle's rows.
import { CreateBucketCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { serveGateway } from '../helpers/gateway.js'
import { applyOp, nextSecond, snapshot, type History } from '../helpers/history.js'
import { ensureClients, runPython } from '../helpers/pyclients.js'
import { rng } from '../helpers/random.js'
import { s3env } from '../helpers/s3env.js'

const SCRIPT = fileURLToPath(new URL('./ray_read.py', import.meta.url))
const tm = (ms: number): string => 'tm' + formatInstant(Math.floor(ms / 1000) * 1000).replace(/[-:TZ]/g, '')

/** File name -> rows written at each step; undefined deletes the file. */
const PLAN: Array<Record<string, 'write' | 'delete'>> = [
  { 'part-0.parquet': 'write', 'part-1.parquet': 'write', 'part-2.parquet': 'write' },
  { 'part-1.parquet': 'write', 'part-3.parquet': 'write' },
  { 'part-0.parquet': 'delete', 'part-4.parquet': 'write', 'part-5.parquet': 'write' },
  { 'part-2.parquet': 'write', 'part-5.parquet': 'delete' }
]

t.test('Ray Data reads a view through the gateway', async t => {
  await ensureClients()
  const env = await s3env(t)
  const r = rng(58)
  // Rows carry the write they belong to ('step/name'), so a wrong version shows.
  const rows = new Map<string, number[][]>()
  let id = 0
  PLAN.forEach((step, i) => {
    for (const [name, op] of Object.entries(step)) {
      if (op === 'write') rows.set(`${i}/${name}`, Array.from({ length: 50 + Math.floor(r() * 100) }, () => [id++, Math.floor(r() * 1e6)]))
    }
  })
  const files = await runPython<Record<string, string>>(SCRIPT, ['parquet'], { files: Object.fromEntries(rows) })
  await env.raw.send(new CreateBucketCommand({ Bucket: 'ray' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'ray', VersioningConfiguration: { Status: 'Enabled' } }))
  const h: History = { bucket: 'ray', keys: [], ops: [], at: [], enabledAtStep: 0 }
  const live = new Set<string>()
  for (const [i, step] of PLAN.entries()) {
    await nextSecond()
    for (const [name, op] of Object.entries(step)) {
      await applyOp(env.raw, h, live, i, `data/${name}`, op === 'write' ? Buffer.from(files[`${i}/${name}`], 'base64') : undefined)
    }
    h.at.push(Date.now())
  }
  const gw = await serveGateway(t, env)
  await new Promise(resolve => setTimeout(resolve, 1500))
  const label = await env.cli(['label', 'create', 'ray-train', `s3://ray/data@${formatInstant(h.at[1])}`], gw.env)
  t.equal(label.code, 0, label.stderr)

  /** The oracle: rows of the files live at step i (a file's rows are those written at its last write). */
  const expected = (i: number): Array<[number, number, string]> => {
    const out: Array<[number, number, string]> = []
    for (const key of snapshot(h, i).keys()) {
      const name = key.slice('data/'.length)
      const writtenAt = Math.max(...h.ops.filter(o => o.key === key && o.step <= i).map(o => o.step))
      for (const [id, value] of rows.get(`${writtenAt}/${name}`) ?? []) out.push([id, value, `${writtenAt}/${name}`])
    }
    return out.sort((a, b) => a[0] - b[0])
  }
  // Each view with Ray's default datasource, and in the other naming form spread over workers.
  const reads = [
    ...h.at.map((at, i) => ({ id: `at${i}-key`, endpoint_suffix: '', path: `ray/@${formatInstant(at)}/data/`, blocks: 4, step: i, spread: false })),
    ...h.at.map((at, i) => ({ id: `at${i}-path`, endpoint_suffix: `/@${tm(at)}`, path: 'ray/data/', blocks: 4, step: i, spread: true })),
    { id: 'label-key', endpoint_suffix: '', path: 'ray/@ray-train/', blocks: 4, step: 1, spread: true },
    { id: 'label-path', endpoint_suffix: '/@ray-train', path: 'ray/', blocks: 4, step: 1, spread: false }
  ]
  const got = await runPython<Record<string, { rows: Array<[number, number, string]>, pids: number[] }>>(SCRIPT, ['read'], {
    endpoint: gw.url, key: gw.creds.accessKeyId, secret: gw.creds.secretAccessKey, reads
  }, {}, 900_000)
  const pids = new Set<number>()
  for (const read of reads) {
    const want = expected(read.step)
    t.same(got[read.id].rows.sort((a, b) => a[0] - b[0]), want, `${read.id}: ${want.length} rows, as the oracle has them`)
    if (read.spread) for (const pid of got[read.id].pids) pids.add(pid)
  }
  t.ok(pids.size >= 2, `the reads ran in several Ray workers (${pids.size} processes)`)
})
