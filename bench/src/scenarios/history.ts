// Scenario 8: the history index's own figures (issue #14), beside the
// mounts' `find` and `ls` (scenarios 3 and 4, where "InfinStor mount +
// index" runs beside the others).
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { S3Access } from '../../../src/s3/access.js'
import { snapshot } from '../datasets.js'
import { expectCount, type Bench } from '../measure.js'
import { BIN, RESULTS, ROOT } from '../paths.js'
import { run } from '../proc.js'
import { spec } from '../systems/infinstor.js'
import { sweepInto, type IndexedSystem } from '../systems/infinstor-ix.js'
import { CREDENTIALS } from '../systems/types.js'

const SCENARIO = '8. The history index (issue #14)'
const IX = 'infinstor-ix'
/** Fresh CLI processes timed, as #14 asks. */
const CLI_RUNS = 5

function indexed (b: Bench): IndexedSystem | undefined {
  return b.mounts.find(s => s.info.id === IX) as IndexedSystem | undefined
}

export async function historyIndex (b: Bench): Promise<void> {
  const ix = indexed(b)
  await sweepRate(b, ix)
  await freshCli(b, ix)
  await synthetic(b)
  await storedRss(b)
}

/**
 * The full sweep of the tree's bucket against the rate at which the same
 * moto pages ListObjectVersions with nothing done with the pages (the
 * ceiling, measured in-process with InfinStor's S3 client, as
 * bench/src/index/sweep.ts does), back to back in each repetition.
 */
async function sweepRate (b: Bench, ix: IndexedSystem | undefined): Promise<void> {
  const { tree } = b.data
  const ids = ['ix-list-rate', 'ix-sweep-rate', 'ix-sweep-share']
  b.rec.define({ id: ids[0], scenario: SCENARIO, label: 'moto pages ListObjectVersions', title: `Paging ListObjectVersions of the tree's bucket (${tree.events.length.toLocaleString('en-US')} versions, 1,000 a page), nothing done with the pages: the ceiling`, unit: 'versions/s', better: 'higher' })
  b.rec.define({ id: ids[1], scenario: SCENARIO, label: 'full sweep into the index', title: '`infinstor index BUCKET` of the same bucket into a fresh SQLite index, its own rate', unit: 'versions/s', better: 'higher' })
  b.rec.define({ id: ids[2], scenario: SCENARIO, label: 'sweep rate / paging rate', title: 'The sweep\'s rate as a share of the paging rate, paired per repetition', unit: '%', better: 'higher' })
  if (ix === undefined) {
    for (const id of ids) b.rec.skip(id, IX, `${IX} was not selected (--systems)`)
    return
  }
  Object.assign(process.env, CREDENTIALS)
  const s3 = new S3Access({ endpoint: b.ctx.endpoint, attempts: 3, timeoutMs: 120_000, concurrency: 4 })
  try {
    for (let rep = 0; rep < b.profile.heavyRepetitions; rep++) {
      await b.rec.attempt('ix sweep', ids, IX, rep, async () => {
        const t = performance.now()
        let entries = 0
        for await (const page of s3.listVersions(tree.bucket, '', undefined, { maxKeys: 1000 })) entries += page.entries.length
        expectCount('versions listed', entries, tree.events.length)
        const listRate = entries / ((performance.now() - t) / 1000)
        const file = join(b.ctx.workDir, 'index', `sweep-${rep}.sqlite`)
        try {
          const s = await sweepInto(b.ctx, tree, file, b.profile.budgetMs)
          expectCount('versions swept', s.versions, tree.events.length)
          return { [ids[0]]: listRate, [ids[1]]: s.perSecond, [ids[2]]: 100 * s.perSecond / listRate }
        } finally {
          for (const f of [file, file + '-wal', file + '-shm']) rmSync(f, { force: true })
        }
      })
    }
  } finally {
    s3.destroy()
  }
  b.rec.note(ids[1], IX, 'the rate the CLI prints (Node\'s start excluded), one transaction per page')
}

/**
 * `infinstor ls -l s3://bucket/folder/@T` in a fresh Node process, the
 * index built: wall time from spawn to exit. The index answers only for
 * the endpoint it was swept from, so the sweep goes through a local proxy
 * to moto; then the proxy stops forwarding, counts requests and answers
 * none (one attempt each): a request would be counted and fail the command.
 */
async function freshCli (b: Bench, ix: IndexedSystem | undefined): Promise<void> {
  const { folder } = b.data
  const files = b.profile.dirFiles.toLocaleString('en-US')
  b.rec.define({ id: 'ix-cli-ls', scenario: SCENARIO, label: `CLI \`ls -l\` of ${files} files at T`, title: `\`infinstor ls -l s3://bucket/folder/@T\` (${files} files) in a fresh process, Node's start included`, unit: 's', better: 'lower' })
  b.rec.define({ id: 'ix-cli-requests', scenario: SCENARIO, label: 'S3 requests of that `ls`', title: 'S3 requests the same command made (counted by a stand-in endpoint)', unit: 'requests', better: 'lower' })
  if (ix === undefined) {
    for (const id of ['ix-cli-ls', 'ix-cli-requests']) b.rec.skip(id, IX, `${IX} was not selected (--systems)`)
    return
  }
  const at = folder.times[folder.times.length - 1]
  const want = snapshot(folder, folder.times.length - 1).size
  const moto = new URL(b.ctx.endpoint)
  let forwarding = true
  let requests = 0
  const counter = createServer((req, res) => {
    if (!forwarding) {
      requests++
      res.statusCode = 503
      res.end()
      return
    }
    const out = request({ host: moto.hostname, port: moto.port, path: req.url, method: req.method, headers: req.headers }, reply => {
      res.writeHead(reply.statusCode ?? 502, reply.headers)
      reply.pipe(res)
    })
    out.on('error', () => { res.destroy() })
    req.pipe(out)
  })
  await new Promise<void>(resolve => counter.listen(0, '127.0.0.1', resolve))
  const endpoint = `http://127.0.0.1:${(counter.address() as AddressInfo).port}`
  mkdirSync(join(b.ctx.workDir, 'index'), { recursive: true })
  const index = await sweepInto({ ...b.ctx, endpoint }, folder, join(b.ctx.workDir, 'index', 'cli-folder.sqlite'), b.profile.budgetMs)
  forwarding = false
  try {
    for (let rep = 0; rep < CLI_RUNS; rep++) {
      // The count is kept even when the command fails: a request is what fails it.
      await b.rec.attempt('ix cli', ['ix-cli-ls'], IX, rep, async () => {
        const before = requests
        const r = await run(process.execPath, [BIN, 'ls', '-l', '--index', index.file, '--endpoint', endpoint, `s3://${folder.bucket}/${folder.prefix}${spec(at)}`],
          { env: { ...process.env, ...CREDENTIALS, INFINSTOR_S3_ATTEMPTS: '1' }, timeoutMs: b.profile.budgetMs, keepStdout: false })
        b.rec.set('ix-cli-requests', IX, rep, requests - before)
        if (r.code !== 0) throw new Error(`infinstor ls exited ${r.code}: ${r.stderr.trim().split('\n').pop() ?? ''}`)
        expectCount('entries', Number(r.stdout), want)
        return { 'ix-cli-ls': r.seconds }
      })
    }
  } finally {
    counter.close()
  }
}

/**
 * The 5M-version query goals, from the separate synthetic runs
 * (bench/src/index/synthetic.ts, about five minutes for both engines on a
 * quiet machine here, far longer on a loaded one): too slow to build in
 * every bench run, so their stored figures are reported, labelled with
 * the date they were committed.
 */
async function synthetic (b: Bench): Promise<void> {
  type Stored = Record<'sqlite' | 'postgres', { rows: number, queries: Record<string, { medianMs: number }> }>
  const { runs, note } = await stored<Stored>(/^synthetic-5m-run\d+\.json$/, 'synthetic run')
  for (const engine of ['sqlite', 'postgres'] as const) {
    const name = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'
    const rows = runs[0]?.[engine]?.rows.toLocaleString('en-US') ?? '5M'
    for (const [q, what] of [['keyAtT', 'a key at T'], ['folder1000AtT', 'a 1,000-entry folder page at T']] as const) {
      const id = `ix-synth-${q === 'keyAtT' ? 'key' : 'folder'}-${engine}`
      b.rec.define({ id, scenario: SCENARIO, label: `${what}, synthetic ${rows} versions, ${name}`, title: `${what} in a synthetic index of ${rows} versions, ${name} (median of each stored run)`, unit: 'ms', better: 'lower' })
      runs.forEach((r, i) => { b.rec.set(id, IX, i, r[engine]?.queries[q]?.medianMs ?? NaN) })
      if (runs.length > 0) b.rec.note(id, IX, note)
      else b.rec.skip(id, IX, 'no stored synthetic run in bench/results/index/')
    }
  }
}

/** The stored runs whose file names match, and a note that says where they come from. */
async function stored<T> (name: RegExp, what: string): Promise<{ runs: T[], note: string }> {
  const dir = join(RESULTS, 'index')
  const files = readdirSync(dir).filter(f => name.test(f)).sort()
  const dated = await run('git', ['-C', ROOT, 'log', '-1', '--format=%cs', '--', ...files.map(f => join(dir, f))], { timeoutMs: 10_000 })
  const date = dated.stdout.trim() || 'an uncommitted run'
  const note = `not measured in this run: from the separate ${what} committed ${date} (${files.map(f => 'bench/results/index/' + f).join(', ')}, one value each)`
  return { runs: files.map(f => JSON.parse(readFileSync(join(dir, f), 'utf8')) as T), note }
}

/**
 * The mount's RSS with the index, after the same work in a synthetic
 * bucket of 20k and of 5M versions (bench/src/index/rss.ts, stored runs):
 * the second over the first.
 */
async function storedRss (b: Bench): Promise<void> {
  interface Run { rows: number, steps: Array<{ step: string, rssMiB: number }> }
  const { runs, note } = await stored<{ runs: Run[] }>(/^rss-run\d+\.json$/, 'RSS run')
  const id = 'ix-rss-growth'
  b.rec.define({ id, scenario: SCENARIO, label: 'mount RSS, 5M versions / 20k versions', title: 'The mount\'s RSS after the same work (ls -l and find + stat of 4 folders, ls of the top folder) in a synthetic bucket of 5M versions over the same in one of 20k, the index answering', unit: '×', better: 'lower' })
  if (runs.length === 0) {
    b.rec.skip(id, IX, 'no stored RSS run in bench/results/index/')
    return
  }
  const afterSameWork = (r: Run | undefined): number => r?.steps.find(s => s.step.startsWith('ls of the top folder'))?.rssMiB ?? NaN
  runs.forEach((r, i) => {
    const [small, large] = [...r.runs].sort((x, y) => x.rows - y.rows)
    b.rec.set(id, IX, i, afterSameWork(large) / afterSameWork(small))
  })
  b.rec.note(id, IX, note)
}

/** The sweeps "InfinStor mount + index" made before mounting: not part of any timed operation. */
export function recordSweeps (b: Bench): void {
  const ix = indexed(b)
  for (const [name, s] of ix?.sweeps ?? []) {
    const what = `${name} bucket, ${s.versions.toLocaleString('en-US')} versions`
    b.rec.define({ id: `ix-build-${name}`, scenario: SCENARIO, label: `index build: ${name}`, title: `\`infinstor index\` of the ${what}, before mounting: wall time, Node's start included`, unit: 's', better: 'lower' })
    b.rec.define({ id: `ix-build-rate-${name}`, scenario: SCENARIO, label: `index build rate: ${name}`, title: `The same sweep's rate as it prints it (${what})`, unit: 'versions/s', better: 'higher' })
    b.rec.set(`ix-build-${name}`, IX, 0, s.wallSeconds)
    b.rec.set(`ix-build-rate-${name}`, IX, 0, s.perSecond)
  }
}
