// The kernel helper (`import infinstor`) in a real IPython kernel, driven by jupyter_client, against a
// real mount of a random history in moto: paths, labels, %infinstor use, lineage with version ids read
// straight from S3, errors that name the fix, MLflow parameters (a stand-in mlflow module), s3_endpoint.
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { SETTING_DEFS } from '../../src/config/settings.js'
import { formatInstant } from '../../src/core/timespec.js'
import { freePort } from '../../src/demo/moto.js'
import { snapshot } from '../helpers/history.js'
import { mountTree } from '../helpers/mount.js'
import { s3env } from '../helpers/s3env.js'
import { buildTextHistory } from '../helpers/texthistory.js'
import { runCells, versionAt, type CellResult } from './oracle.js'
import { tempDir } from '../helpers/temp.js'

const BUCKET = 'kernel-lab'
const FAKE_MLFLOW = fileURLToPath(new URL('fake-mlflow', import.meta.url))
const seed = Number(process.env.INFINSTOR_SEED ?? Date.now() % 100_000)
t.comment(`seed ${seed} (INFINSTOR_SEED=${seed} replays this history)`)

const s3 = await s3env(t)
const h = await buildTextHistory(s3.raw, BUCKET, seed)
// Past the daemon's settle margin, so every step is settled history.
await new Promise(resolve => setTimeout(resolve, 2500))
const mount = await mountTree(t, s3, { buckets: [BUCKET], args: ['--port', String(await freePort())] })
t.teardown(() => { if (t.passing() === false) t.comment(`mount log:\n${mount.log()}`) })

const second = (ms: number): number => Math.floor(ms / 1000) * 1000
const [i, j] = [0, 3]
const Ti = formatInstant(second(h.at[i]))
const Tj = formatInstant(second(h.at[j]))
// A label names only settled history: Tj's second must be older than the settle margin (the
// default here) by the time the CLI asks, however quickly the mount came up.
const settled = second(h.at[j]) + 1000 + Number(SETTING_DEFS.find(d => d.name === 'settle-margin-ms')?.default) + 500 - Date.now()
if (settled > 0) await new Promise(resolve => setTimeout(resolve, settled))
const label = await s3.cli(['label', 'create', 'train-v3', `s3://${BUCKET}@${Tj}`, '-m', 'kernel test'], mount.env)
if (label.code !== 0) throw new Error(`label create failed: ${label.stderr}`)

// A port where nothing listens, then one where something answers HTTP: the gateway's stand-ins.
const noGateway = await freePort()
const fakeGateway = createServer((_req, res) => { res.writeHead(403).end() })
await new Promise<void>(resolve => fakeGateway.listen(0, '127.0.0.1', resolve))
t.teardown(() => { fakeGateway.close() })
const gatewayPort = (fakeGateway.address() as { port: number }).port

const env = { ...mount.env, PYTHONPATH: FAKE_MLFLOW, INFINSTOR_S3_PORT: String(noGateway) }
const laterFile = [...snapshot(h, j).keys()].find(k => k !== 'train.csv' && !k.includes('/')) ?? 'later.csv'
const cells = [
  `import infinstor, json\np = infinstor.path("${BUCKET}/train.csv", at="${Ti}")\nprint(p)\nprint(open(p).read(), end="")`,
  `p = infinstor.path("${BUCKET}/train.csv", at="train-v3")\nprint(p)\nprint(open(p).read(), end="")`,
  `%load_ext infinstor\n%infinstor use ${BUCKET}@train-v3`,
  `print(open(infinstor.path("${laterFile}")).read(), end="")`,
  'print(json.dumps(infinstor.lineage()))',
  'infinstor.path("no-such-file.csv")',
  `infinstor.path("${BUCKET}/train.csv", at="2999-01-01T00:00:00Z")`,
  `infinstor.path("no-such-bucket/x.csv", at="${Ti}")`,
  `infinstor.path("${BUCKET}/train.csv", at="no-such-label")`,
  `import mlflow\nrun = mlflow.start_run()\ninfinstor.path("${BUCKET}/train.csv", at="${Ti}")\nprint(json.dumps(run.params))`,
  `import time\nt0 = time.perf_counter()\nfor _ in range(20): infinstor.path("${BUCKET}/train.csv", at="${Ti}")\nprint((time.perf_counter() - t0) / 20 * 1000)`,
  `infinstor.s3_endpoint(at="${Ti}")`,
  `import os\nos.environ["INFINSTOR_S3_PORT"] = "${gatewayPort}"\ne = infinstor.s3_endpoint(at="train-v3")\nprint(e.uri("${BUCKET}", "train.csv"), e.boto3()["endpoint_url"])`
]
const r: CellResult[] = await runCells(cells, env)
const ok = (c: CellResult): string => {
  if (c.error !== null) throw new Error(`cell failed: ${c.error.ename}: ${c.error.evalue}\n${c.error.traceback.join('\n')}`)
  return c.stdout
}

t.test('a path at a time is the plain mount path, and reads the file as it was', async t => {
  const [path, ...rest] = ok(r[0]).split('\n')
  t.equal(path, `${mount.dir}/${BUCKET}/@${Ti}/train.csv`)
  t.equal(rest.join('\n'), snapshot(h, i).get('train.csv')?.toString())
})

t.test('a path at a label, and %infinstor use, resolve against the label\'s view', async t => {
  const [path, ...rest] = ok(r[1]).split('\n')
  t.equal(path, `${mount.dir}/${BUCKET}/@train-v3/train.csv`)
  t.equal(rest.join('\n'), snapshot(h, j).get('train.csv')?.toString())
  t.match(ok(r[2]), `using ${BUCKET}@train-v3 = ${BUCKET}/@${Tj}`)
  t.equal(ok(r[3]), snapshot(h, j).get(laterFile)?.toString(), `${laterFile} relative to the view in use`)
})

t.test('the lineage: each view once, canonical, with the version ids S3 has for the files read', async t => {
  const lineage = JSON.parse(ok(r[4])) as Array<{ view: string, spec: string, label_spec?: string, files: Array<{ key: string, version_id: string }> }>
  t.same(lineage.map(l => l.view), [`${BUCKET}@${Ti}`, `${BUCKET}@train-v3`])
  t.equal(lineage[1].label_spec, Tj)
  t.same(lineage[0].files.map(f => [f.key, f.version_id]), [['train.csv', await versionAt(s3.raw, BUCKET, 'train.csv', Date.parse(Ti))]])
  t.same(lineage[1].files.map(f => [f.key, f.version_id]), [
    ['train.csv', await versionAt(s3.raw, BUCKET, 'train.csv', Date.parse(Tj))],
    [laterFile, await versionAt(s3.raw, BUCKET, laterFile, Date.parse(Tj))]
  ])
})

t.test('errors say what is wrong and what to do, without a traceback', async t => {
  const error = (c: CellResult): string => {
    t.not(c.error, null, 'the cell fails')
    t.same(c.error?.traceback, [], 'no traceback')
    t.equal(c.stderr.trim(), `${c.error?.ename ?? ''}: ${c.error?.evalue ?? ''}`, 'the message is shown instead')
    return c.stderr
  }
  for (const c of r.slice(5, 9)) t.comment(c.stderr.trim())
  t.match(error(r[5]), /NotInView: 'no-such-file.csv' is not in kernel-lab@train-v3/)
  t.match(error(r[6]), /future/)
  t.match(error(r[7]), /no-such-bucket/)
  t.match(error(r[8]), /no label named 'no-such-label'/)
})

t.test('with an MLflow run active, every view is logged as a run parameter', async t => {
  t.same(JSON.parse(ok(r[9])), {
    'infinstor.view.0': `${BUCKET}@${Ti}`,
    'infinstor.view.1': `${BUCKET}@train-v3 = ${BUCKET}/@${Tj}`
  })
})

t.test('s3_endpoint: a clear error without a gateway; its address and key form with one', async t => {
  t.match(r[11].error?.evalue, `no InfinStor S3 gateway answers at http://127.0.0.1:${noGateway}`)
  t.equal(ok(r[12]).trim(), `s3://${BUCKET}/@train-v3/train.csv http://127.0.0.1:${gatewayPort}`)
})

t.test('without a mount, the helper says how to start one', async t => {
  const empty = tempDir(t, 'nomount')
  const [c] = await runCells([`import infinstor\ninfinstor.path("${BUCKET}/train.csv", at="${Ti}")`], { ...env, XDG_STATE_HOME: empty })
  t.equal(c.error?.ename, 'InfinStorError')
  t.match(c.error?.evalue, /no InfinStor mount is running.*infinstor mount/)
})

t.test('cost of one path() (asking the mount) against `infinstor stat --json` (a process)', async t => {
  const helperMs = Number(ok(r[10]))
  const started = Date.now()
  for (let n = 0; n < 3; n++) {
    const s = await s3.cli(['stat', '--json', `s3://${BUCKET}/train.csv@${Ti}`], mount.env)
    t.equal(s.code, 0, s.stderr)
  }
  const cliMs = (Date.now() - started) / 3
  t.comment(`infinstor.path(): ${helperMs.toFixed(1)} ms per call; infinstor stat --json: ${cliMs.toFixed(0)} ms per call`)
  t.ok(helperMs > 0)
})
