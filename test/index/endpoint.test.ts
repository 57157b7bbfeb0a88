// The history index answers only for the S3 endpoint a bucket was swept
// from: two moto servers with a bucket of the same name and different
// histories, both index engines; and an index from schema 1 (no endpoint
// recorded) serves nothing until swept again.
import { createHash } from 'node:crypto'
import t from 'tap'
import { formatInstant, type TimeSpec } from '../../src/core/timespec.js'
import type { Engine } from '../../src/engine/engine.js'
import { endpointKey } from '../../src/index/endpoint.js'
import { IndexKeeper } from '../../src/index/keeper.js'
import { openIndex, type IndexStore } from '../../src/index/open.js'
import { rowsOfKey } from '../../src/index/rows.js'
import { SCHEMA_VERSION } from '../../src/index/schema.js'
import { sweep } from '../../src/index/sweep.js'
import { buildHistory, snapshot, type History, type State } from '../helpers/history.js'
import { allPages, indexEngines } from '../helpers/index-engines.js'
import { s3env, type S3Env } from '../helpers/s3env.js'

const MARGIN_MS = 1000
const BUCKET = 'sales'

const at = (t: number): TimeSpec => ({ kind: 'at', t })
const etag = (b: Buffer): string => `"${createHash('md5').update(b).digest('hex')}"`
const etags = (s: State): Record<string, string> => Object.fromEntries([...s].map(([k, b]) => [k, etag(b)]))
const keyOf = (env: S3Env): string => endpointKey(env.endpoint, 'us-east-1')
const listings = (engine: Engine): number => engine.requests.get('ListObjectVersions') ?? 0

/** What the engine shows at every step of `h`, key -> ETag. */
async function views (engine: Engine, h: History): Promise<Array<Record<string, string>>> {
  const out: Array<Record<string, string>> = []
  for (const t of h.at) {
    const view = await engine.view(h.bucket, formatInstant(t))
    out.push(Object.fromEntries((await engine.walk(view, '')).map(f => [f.key, f.version.etag])))
  }
  return out
}

const truth = (h: History): Array<Record<string, string>> => h.at.map((_, i) => etags(snapshot(h, i)))

t.test('endpointKey: one service, one key; credentials never recorded', async t => {
  t.equal(endpointKey(undefined, 'us-east-1'), 'aws')
  t.equal(endpointKey(undefined, 'eu-west-3'), 'aws', 'bucket names are global within a partition')
  t.equal(endpointKey(undefined, 'cn-north-1'), 'aws-cn')
  t.equal(endpointKey(undefined, 'us-gov-west-1'), 'aws-us-gov')
  t.equal(endpointKey('HTTP://LocalHost:80/', 'us-east-1'), 'http://localhost')
  t.equal(endpointKey('https://minio.example:9000//?x=1#f', 'us-east-1'), 'https://minio.example:9000')
  t.equal(endpointKey('http://user:secret@127.0.0.1:5000', 'us-east-1'), 'http://127.0.0.1:5000')
  t.not(endpointKey('http://127.0.0.1:5000', 'x'), endpointKey('http://127.0.0.1:5001', 'x'))
})

t.test('a bucket swept on one endpoint never answers for the same name on another', async t => {
  const [a, b] = [await s3env(t), await s3env(t)]
  const [ha, hb] = await Promise.all([
    buildHistory(a.raw, BUCKET, { seed: 101, steps: 6, nullSteps: 1 }),
    buildHistory(b.raw, BUCKET, { seed: 202, steps: 6, nullSteps: 1 })
  ])
  t.notSame(truth(ha), truth(hb), 'the two histories differ, so serving one for the other would show')
  // Every step settled past the margin, so each sweep's watermark is past them all.
  await new Promise(resolve => setTimeout(resolve, 2 * MARGIN_MS + 500))
  for (const ix of await indexEngines(t)) {
    await t.test(ix.name, async t => {
      const { setting, store } = await ix.fresh()
      const sa = a.services({ 'settle-margin-ms': MARGIN_MS, index: setting })
      await sweep(sa.s3, store, BUCKET, { settleMarginMs: MARGIN_MS, pageSize: 5 })
      const last = at(hb.at[hb.at.length - 1])
      t.ok(await store.covers(BUCKET, last, keyOf(a)), 'A\'s views come from the index')
      t.notOk(await store.covers(BUCKET, last, keyOf(b)), 'B\'s do not, though the name and the times match')
      t.equal((await store.bucket(BUCKET))?.endpoint, keyOf(a), 'the bucket records where it was swept from')

      const onB = b.services({ 'settle-margin-ms': MARGIN_MS, index: setting }).engine
      t.same(await views(onB, hb), truth(hb), 'an engine on B shows B\'s history at every past step')
      t.ok(listings(onB) > 0, `from listings of B (${listings(onB)} requests), not from A's rows`)
      t.match(await onB.indexStatus(BUCKET), { endpoint: keyOf(a), sameEndpoint: false }, 'B\'s status says the index is another endpoint\'s')

      const status = await b.cli(['index', '--status', BUCKET], { INFINSTOR_INDEX: setting })
      t.equal(status.code, 0, status.stderr)
      t.match(status.stdout, `endpoint:    ${keyOf(a)}\n`)
      t.match(status.stdout, /note: +this history is not of the bucket 'sales' at \S+ \(the endpoint in use here\), so views here read S3/)
      const statusA = await a.cli(['index', '--status', BUCKET], { INFINSTOR_INDEX: setting })
      t.notMatch(statusA.stdout, /not of the bucket/, 'on A no such note')

      const someKey = hb.keys[0]
      const foreign = rowsOfKey([{ key: someKey, versionId: 'x', lastModified: 1000, size: 1, etag: '"x"', deleteMarker: false, isLatest: true, position: 0 }])
      const before = await store.history(BUCKET, someKey)
      t.notOk(await store.writes.replaceKey(BUCKET, someKey, foreign, undefined, keyOf(b)), 'an event from B is not applied to A\'s bucket')
      t.same(await store.history(BUCKET, someKey), before, 'and changes no row')

      // While B's sweep runs, neither endpoint is covered: A's watermark no longer stands, B's is not set yet.
      t.same(await stoppedSweep(store, b, keyOf(a)), { watermark: undefined, endpoint: keyOf(b), coversA: false, coversB: false },
        'mid-sweep from B: the bucket is B\'s, and covered for no one')
      const r = await sweep(b.services().s3, store, BUCKET, { settleMarginMs: MARGIN_MS, pageSize: 3 })
      t.ok(r.resumed, 'B\'s sweep resumed and finished')
      await store.bucket(BUCKET) // covers() trusts a state it read for a second: read it anew

      t.ok(await store.covers(BUCKET, last, keyOf(b)), 'after B\'s sweep, B\'s views come from the index')
      t.notOk(await store.covers(BUCKET, last, keyOf(a)), 'and A\'s no longer do')
      const indexed = await allPages(async p => await store.histories(BUCKET, '', p), 100)
      const bKeys = new Set(hb.ops.map(o => o.key))
      t.ok(indexed.every(k => bKeys.has(k.key)), 'no key of A\'s history is left')
      t.same(indexed.map(k => k.versions.length), indexed.map(k => hb.ops.filter(o => o.key === k.key).length), 'every key holds B\'s versions only')

      const fresh = b.services({ 'settle-margin-ms': MARGIN_MS, index: setting }).engine
      t.same(await views(fresh, hb), truth(hb), 'B\'s views from the index equal B\'s oracle')
      t.equal(listings(fresh), 0, 'with no listing')
      t.match(await fresh.indexStatus(BUCKET), { endpoint: keyOf(b), sameEndpoint: true })
      const onA = a.services({ 'settle-margin-ms': MARGIN_MS, index: setting }).engine
      t.same(await views(onA, ha), truth(ha), 'and an engine on A reads A\'s own history from S3 again')
      t.ok(listings(onA) > 0)
    })
  }
})

/** Starts a sweep of BUCKET from `b`, stops it after its first page, and tells the bucket's state then. */
async function stoppedSweep (store: IndexStore, b: S3Env, aKey: string): Promise<Record<string, unknown>> {
  const stop = new AbortController()
  const stopped = await sweep(b.services().s3, store, BUCKET, { settleMarginMs: MARGIN_MS, pageSize: 2, signal: stop.signal, onProgress: () => stop.abort() })
    .then(() => false, () => true)
  if (!stopped) throw new Error('the sweep ended before it could be stopped')
  const mid = await store.bucket(BUCKET)
  const past = at(Date.now() - 60_000)
  return {
    watermark: mid?.watermark,
    endpoint: mid?.endpoint,
    coversA: await store.covers(BUCKET, past, aKey),
    coversB: await store.covers(BUCKET, past, keyOf(b))
  }
}

t.test('an index from schema 1 is migrated, and its buckets serve nothing until swept again', async t => {
  const env = await s3env(t)
  const h = await buildHistory(env.raw, BUCKET, { seed: 303, steps: 4, nullSteps: 1 })
  await new Promise(resolve => setTimeout(resolve, 2 * MARGIN_MS + 500))
  for (const ix of await indexEngines(t)) {
    await t.test(ix.name, async t => {
      const { setting, store: built } = await ix.fresh()
      const { s3 } = env.services()
      // One page holds the whole bucket, its delete markers after its versions.
      await sweep(s3, built, BUCKET, { settleMarginMs: MARGIN_MS, pageSize: 1000 })
      const served = env.services({ 'settle-margin-ms': MARGIN_MS, index: setting }).engine
      t.same(await views(served, h), truth(h), 'a sweep in one page is exact')
      t.equal(listings(served), 0, 'served from the index')
      // Back to schema 1 exactly: the endpoint column was schema 2's only change.
      await built.sql.run('ALTER TABLE infinstor_buckets DROP COLUMN endpoint')
      await built.sql.run("UPDATE infinstor_meta SET value = '1' WHERE name = 'schema_version'")
      await built.close()

      const store = await openIndex(setting, { create: false }) as IndexStore
      t.teardown(async () => await store.close())
      const meta = await store.sql.get<{ value: string }>("SELECT value FROM infinstor_meta WHERE name = 'schema_version'")
      t.equal(meta?.value, String(SCHEMA_VERSION), `migrated to schema ${SCHEMA_VERSION}`)
      const old = await store.bucket(BUCKET)
      t.ok(old?.watermark !== undefined && old.endpoint === undefined, 'the old sweep is kept, its endpoint unknown')
      const last = at(h.at[h.at.length - 1])
      t.notOk(await store.covers(BUCKET, last, keyOf(env)), 'so it covers nothing')
      const keeper = new IndexKeeper(s3, store, undefined, { buckets: [BUCKET], sweepIntervalMs: 3_600_000, settleMarginMs: MARGIN_MS, pageSize: 1000 })
      t.equal(await keeper.dueAt(BUCKET), 0, 'and a keeper sweeps it at once')
      const engine = env.services({ 'settle-margin-ms': MARGIN_MS, index: setting }).engine
      t.same(await views(engine, h), truth(h), 'views read S3 and are exact')
      t.ok(listings(engine) > 0)
      t.match(await engine.indexStatus(BUCKET), { endpoint: undefined, sameEndpoint: false })

      await sweep(s3, store, BUCKET, { settleMarginMs: MARGIN_MS, pageSize: 3 })
      t.equal((await store.bucket(BUCKET))?.endpoint, keyOf(env), 'the new sweep records the endpoint') // and covers() reads this state
      t.ok(await store.covers(BUCKET, last, keyOf(env)), 'and the bucket is covered again')
      const fresh = env.services({ 'settle-margin-ms': MARGIN_MS, index: setting }).engine
      t.same(await views(fresh, h), truth(h), 'views from the index are exact')
      t.equal(listings(fresh), 0, 'with no listing')
    })
  }
})
