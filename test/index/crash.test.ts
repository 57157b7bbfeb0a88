// Crashes and concurrency, in both engines, with real processes: kill -9
// during a sweep and during event ingestion, then resume; readers in other
// processes while a writer replaces pages.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs'
import t, { type Test } from 'tap'
import { endpointKey } from '../../src/index/endpoint.js'
import type { IndexStore } from '../../src/index/open.js'
import { FOREVER } from '../../src/index/schema.js'
import { sweep } from '../../src/index/sweep.js'
import { BIN, s3env, type S3Env } from '../helpers/s3env.js'
import { allPages, indexEngines } from '../helpers/index-engines.js'

const OPEN_JS = fileURLToPath(new URL('../../dist/index/open.js', import.meta.url))
const ROWS_JS = fileURLToPath(new URL('../../dist/index/rows.js', import.meta.url))

async function bucketWith (env: S3Env, bucket: string, objects: number): Promise<void> {
  await env.raw.send(new CreateBucketCommand({ Bucket: bucket }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }))
  await put(env, bucket, objects, 'v1')
}

async function put (env: S3Env, bucket: string, objects: number, tag: string): Promise<void> {
  for (let i = 0; i < objects; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, objects - i) }, async (_, j) =>
      await env.raw.send(new PutObjectCommand({ Bucket: bucket, Key: `d${(i + j) % 7}/k${String(i + j).padStart(4, '0')}`, Body: `${tag}-${i + j}` }))))
  }
}

function cli (env: S3Env, setting: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { env: { ...env.env, INFINSTOR_INDEX: setting }, stdio: ['ignore', 'pipe', 'pipe'] })
}

async function finished (child: ChildProcess): Promise<{ code: number | null, out: string }> {
  let out = ''
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { out += d.toString() })
  const [code] = await once(child, 'exit') as [number | null]
  return { code, out }
}

async function until (what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

async function exact (t: Test, env: S3Env, store: IndexStore, bucket: string, what: string): Promise<void> {
  const want = [...await env.engine().histories(bucket, '')].map(([key, versions]) => ({ key, versions }))
  const got = await allPages(async p => await store.histories(bucket, '', p), 1000)
  t.same(got, want, `${what}: every history, version for version`)
  const rows = (await store.summary(bucket, FOREVER - 1))
  t.equal(rows.versions + rows.deleteMarkers, want.reduce((n, h) => n + h.versions.length, 0), `${what}: one row per entry, none twice`)
}

t.test('kill -9 during a sweep, then resume: exact, no duplicate rows', async t => {
  const env = await s3env(t)
  const engines = await indexEngines(t)
  const bucket = 'ix-crash-sweep'
  await bucketWith(env, bucket, 400)
  await put(env, bucket, 150, 'v2')
  for (const e of engines) {
    await t.test(e.name, async t => {
      const { setting, store } = await e.fresh()
      const child = cli(env, setting, ['index', bucket, '--index-page-size', '2'])
      const done = finished(child)
      await until('the sweep is part way', async () => ((await store.bucket(bucket))?.sweep?.pages ?? 0) >= 20)
      child.kill('SIGKILL')
      await done
      const cut = await store.bucket(bucket)
      t.ok(cut?.sweep !== undefined && cut.watermark === undefined, `killed part way: ${cut?.sweep?.pages ?? 0} pages committed, no watermark yet`)
      t.notOk(await store.covers(bucket, { kind: 'at', t: Date.now() - 60_000 }, endpointKey(env.endpoint, 'us-east-1')), 'an unfinished first sweep covers nothing')
      const resumed = await finished(cli(env, setting, ['index', bucket, '--index-page-size', '50']))
      t.equal(resumed.code, 0, resumed.out)
      t.match(resumed.out, /resumed/, 'the second run resumed the sweep')
      const state = await store.bucket(bucket)
      t.ok(state?.watermark !== undefined && state.sweep === undefined, 'the resumed sweep completed')
      await exact(t, env, store, bucket, 'after kill -9 and resume')
    })
  }
})

t.test('kill -9 during event ingestion, then restart: exact, no duplicate rows', async t => {
  const env = await s3env(t)
  const engines = await indexEngines(t)
  const sqs = new SQSClient({ endpoint: env.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
  t.teardown(() => sqs.destroy())
  for (const e of engines) {
    await t.test(e.name, async t => {
      const bucket = `ix-crash-events-${e.name}`
      await bucketWith(env, bucket, 20)
      const q = await sqs.send(new CreateQueueCommand({ QueueName: bucket, Attributes: { VisibilityTimeout: '2' } }))
      const queueUrl = q.QueueUrl as string
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn as string
      t.equal((await env.cli(['enable', bucket, '--events', arn])).code, 0)
      const { setting, store } = await e.fresh()
      await sweep(env.services().s3, store, bucket, { settleMarginMs: 1000, pageSize: 1000 })
      await put(env, bucket, 100, 'v2')
      const watch = ['index', bucket, '--watch', '--queue', queueUrl, '--index-sweep-interval', '3600']
      const first = cli(env, setting, watch)
      const firstDone = finished(first)
      await until('events are being applied', async () => (await store.bucket(bucket))?.lastEvent !== undefined)
      first.kill('SIGKILL')
      await firstDone
      const queued = async (): Promise<number> => {
        const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes ?? {}
        return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible)
      }
      t.ok(await queued() > 0, `killed with ${await queued()} events not yet applied`)
      const second = cli(env, setting, watch)
      const secondDone = finished(second)
      await until('the queue is empty', async () => await queued() === 0, 120_000)
      second.kill('SIGTERM')
      t.equal((await secondDone).code, 0, 'the watcher stops cleanly on SIGTERM')
      await exact(t, env, store, bucket, 'after kill -9 and restart')
    })
  }
})

/** A reader process: counts the bucket's rows (one statement each time) for `ms`, and prints what it saw. */
function reader (setting: string, bucket: string, ms: number): ChildProcess {
  return node(setting, `
    const store = await openIndex(process.env.INFINSTOR_INDEX, { create: false })
    const seen = {}
    const end = Date.now() + ${ms}
    let reads = 0
    while (Date.now() < end) {
      const s = await store.summary(${JSON.stringify(bucket)}, ${FOREVER - 1})
      const n = s.versions + s.deleteMarkers + '/' + s.liveObjects
      seen[n] = (seen[n] ?? 0) + 1
      reads++
    }
    await store.close()
    console.log(JSON.stringify({ seen, reads }))`)
}

/**
 * A writer process: sweeps the bucket again and again through the index's
 * own writes, from rows it read once (no S3: many page transactions a
 * second), until `ms` have passed; prints how many pages it committed.
 */
function writer (setting: string, bucket: string, endpoint: string, ms: number): ChildProcess {
  return node(setting, `
    const { rowsOfKey } = await import(${JSON.stringify(ROWS_JS)})
    const store = await openIndex(process.env.INFINSTOR_INDEX, { create: false })
    const keys = []
    let after
    do {
      const page = await store.histories(${JSON.stringify(bucket)}, '', { after, limit: 1000 })
      keys.push(...page.items)
      after = page.next
    } while (after !== undefined)
    const rows = h => rowsOfKey(h.versions.map((v, position) => ({ ...v, position })))
    const end = Date.now() + ${ms}
    let pages = 0
    while (Date.now() < end) {
      const claim = await store.writes.beginSweep(${JSON.stringify(bucket)}, ${JSON.stringify(endpoint)})
      for (let i = 0; i + 3 < keys.length; i += 3) {
        await store.writes.commitPage(claim, keys[i + 2].key, keys.slice(i, i + 3).flatMap(rows), Date.now())
        pages++
      }
      const rest = keys.slice(claim.marker === undefined ? 0 : keys.findIndex(k => k.key === claim.marker) + 1)
      await store.writes.finishSweep(claim, rest.flatMap(rows), { started: Date.now(), watermark: Date.now() - 5000, finishedAt: Date.now(), versioning: 'Enabled' })
    }
    await store.close()
    console.log(JSON.stringify({ pages }))`)
}

function node (setting: string, body: string): ChildProcess {
  const code = `const { openIndex } = await import(${JSON.stringify(OPEN_JS)})\n${body}`
  return spawn(process.execPath, ['--input-type=module', '-e', code], { env: { ...process.env, INFINSTOR_INDEX: setting }, stdio: ['ignore', 'pipe', 'pipe'] })
}

t.test('readers in other processes never see a half-applied page', async t => {
  const env = await s3env(t)
  const engines = await indexEngines(t)
  const bucket = 'ix-readers'
  await bucketWith(env, bucket, 300)
  for (const e of engines) {
    await t.test(e.name, async t => {
      const { setting, store } = await e.fresh()
      await sweep(env.services().s3, store, bucket, { settleMarginMs: 1000, pageSize: 1000 })
      const writing = finished(writer(setting, bucket, endpointKey(env.endpoint, 'us-east-1'), 6000))
      const reading = await Promise.all([reader(setting, bucket, 5000), reader(setting, bucket, 5000)].map(finished))
      const w = await writing
      t.equal(w.code, 0, w.out)
      const { pages } = JSON.parse(w.out) as { pages: number }
      t.ok(pages > 100, `the writer committed ${pages} pages`)
      for (const r of reading) {
        t.equal(r.code, 0, r.out)
        const { seen, reads } = JSON.parse(r.out) as { seen: Record<string, number>, reads: number }
        t.same(Object.keys(seen), ['300/300'], `${reads} reads while the writer committed pages all saw every row (${JSON.stringify(seen)})`)
      }
      await exact(t, env, store, bucket, 'after the writer')
    })
  }
})
