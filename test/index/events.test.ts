// Live capture from S3 events through SQS (moto's real S3 and SQS), and
// reconciliation sweeps that repair whatever events missed, in both engines.
import { GetBucketNotificationConfigurationCommand, PutObjectCommand, DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import {
  CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient
} from '@aws-sdk/client-sqs'
import t, { type Test } from 'tap'
import { EventWatcher, parseEventMessage } from '../../src/index/events.js'
import type { IndexStore } from '../../src/index/open.js'
import { sweep } from '../../src/index/sweep.js'
import { SqsAccess } from '../../src/s3/sqs.js'
import { pick, rng } from '../helpers/random.js'
import { s3env, type S3Env } from '../helpers/s3env.js'
import { allPages, indexEngines, type IndexEngine } from '../helpers/index-engines.js'

const KEYS = ['plain.txt', 'with space.txt', 'sym+bols%20=&~.dat', 'ünïcödé/файл.txt', 'dir/a', 'dir/sub/b', 'trail/', 'x-/y']

interface Fixture { bucket: string, queueUrl: string, queueArn: string }

async function fixture (env: S3Env, sqs: SQSClient, bucket: string): Promise<Fixture> {
  const q = await sqs.send(new CreateQueueCommand({ QueueName: `${bucket}-events`, Attributes: { VisibilityTimeout: '2' } }))
  const queueUrl = q.QueueUrl as string
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  const queueArn = attrs.Attributes?.QueueArn as string
  const made = await env.cli(['enable', bucket, '--events', queueArn])
  if (made.code !== 0) throw new Error(`enable --events failed: ${made.stderr}`)
  return { bucket, queueUrl, queueArn }
}

async function createBucket (env: S3Env, bucket: string): Promise<void> {
  const { CreateBucketCommand } = await import('@aws-sdk/client-s3')
  await env.raw.send(new CreateBucketCommand({ Bucket: bucket }))
}

/** Writes (and overwrites) `n` objects over KEYS and a few numbered keys. */
async function writes (s3: S3Client, bucket: string, seed: number, n: number): Promise<void> {
  const r = rng(seed)
  for (let i = 0; i < n; i++) {
    const key = r() < 0.5 ? pick(r, KEYS) : `many/k${Math.floor(r() * 40)}`
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${key}#${seed}.${i}` + 'x'.repeat(Math.floor(r() * 50)) }))
  }
}

/** Applies queued events until the queue is empty. */
async function drain (w: EventWatcher): Promise<void> {
  while (await w.pollOnce() > 0) { /* until a receive comes back empty */ }
}

/** The index holds exactly what S3 lists: every key's whole history, version for version, and the counts. */
async function exact (t: Test, env: S3Env, store: IndexStore, bucket: string, what: string): Promise<void> {
  const live = env.engine()
  const want = [...await live.histories(bucket, '')].map(([key, versions]) => ({ key, versions }))
  t.same(await allPages(async p => await store.histories(bucket, '', p), 7), want, `${what}: every history, version for version`)
  const s = await live.summary(bucket)
  const b = await store.bucket(bucket)
  t.same([b?.versions, b?.deleteMarkers, b?.liveObjects, b?.liveBytes], [s.versions, s.deleteMarkers, s.liveObjects, s.liveBytes], `${what}: counts`)
}

/** moto, both index engines, a plain SQS client for the test's own moves, and the one under test. */
async function setup (t: Test): Promise<{ env: S3Env, engines: IndexEngine[], sqs: SQSClient, access: SqsAccess }> {
  const env = await s3env(t)
  const engines = await indexEngines(t)
  const sqs = new SQSClient({ endpoint: env.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
  const access = new SqsAccess({ attempts: 3, timeoutMs: 5000 })
  t.teardown(() => { sqs.destroy(); access.destroy() })
  return { env, engines, sqs, access }
}

t.test('event messages: moto\'s and AWS\'s forms, SNS-wrapped, test events and junk', async t => {
  const moto = '{"Records": [{"eventTime": "2026-11-30T15:12:11.519991", "eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "b"}, "object": {"key": "with+space%2F%C3%BC%2Bx%2520%3D%26.txt", "size": 2}}}]}'
  t.same(parseEventMessage(moto), [{ bucket: 'b', key: 'with space/ü+x%20=&.txt', time: Date.parse('2026-11-30T15:12:11.519Z') }])
  const aws = JSON.stringify({ Records: [{ eventTime: '2026-11-30T15:12:11.519Z', s3: { bucket: { name: 'b' }, object: { key: 'a/b+c', versionId: 'v1', sequencer: '00A' } } }] })
  t.same(parseEventMessage(aws), [{ bucket: 'b', key: 'a/b c', time: Date.parse('2026-11-30T15:12:11.519Z') }])
  t.same(parseEventMessage(JSON.stringify({ Type: 'Notification', Message: aws })), parseEventMessage(aws), 'through SNS')
  t.same(parseEventMessage('{"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"}'), [], 'a test event names no key')
  t.same(parseEventMessage('not json'), [])
  t.same(parseEventMessage('{"Records": [{"s3": {"bucket": {"name": "b"}, "object": {"key": "%E0%A4%A"}}}]}'), [], 'a key that does not decode')
  t.same(parseEventMessage('{"Records": [{"s3": {"bucket": {"name": "b"}, "object": {"key": "k"}}}]}'), [{ bucket: 'b', key: 'k', time: undefined }], 'no event time')
})

t.test('events keep the index current; deletes (which send no event) arrive with the next sweep', async t => {
  const { env, engines, sqs, access } = await setup(t)
  for (const e of engines) {
    await t.test(e.name, async t => {
      const bucket = `ix-events-${e.name}`
      await createBucket(env, bucket)
      const f = await fixture(env, sqs, bucket)
      const config = await env.raw.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }))
      t.same(config.QueueConfigurations?.map(q => [q.Id, q.QueueArn]), [['infinstor-history', f.queueArn]], 'enable --events set up the notification')
      const { store } = await e.fresh()
      const s3 = env.services().s3
      await sweep(s3, store, bucket, { settleMarginMs: 1000, pageSize: 1000 })
      const watcher = new EventWatcher(access, s3, store, { queueUrl: f.queueUrl, pageSize: 1000, waitSeconds: 0 })
      await writes(env.raw, bucket, 1, 30)
      await drain(watcher)
      t.ok(watcher.stats.keys > 0, `events named ${watcher.stats.keys} keys`)
      await exact(t, env, store, bucket, 'after the events')
      t.ok((await store.bucket(bucket))?.lastEvent !== undefined, 'the last event time is recorded')

      await env.raw.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'plain.txt' }))
      await env.raw.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'with space.txt' }))
      await drain(watcher)
      const before = await store.history(bucket, 'plain.txt')
      t.notOk(before.versions[0]?.deleteMarker === true, 'moto sent no event for the delete: the index does not know yet')
      await sweep(s3, store, bucket, { settleMarginMs: 1000, pageSize: 4 })
      t.equal((await store.history(bucket, 'plain.txt')).versions[0]?.deleteMarker, true, 'the sweep brought the delete marker')
      await exact(t, env, store, bucket, 'after the sweep')

      const r = await env.cli(['disable', bucket])
      t.equal(r.code, 0, 'disable')
      const after = await env.raw.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }))
      t.same(after.QueueConfigurations ?? [], [], 'disable removed the notification')
    })
  }
})

t.test('dropped, duplicated and reordered events, then a sweep: exact again', async t => {
  const { env, engines, sqs, access } = await setup(t)
  for (const e of engines) {
    await t.test(e.name, async t => {
      const bucket = `ix-chaos-${e.name}`
      await createBucket(env, bucket)
      const f = await fixture(env, sqs, bucket)
      const { store } = await e.fresh()
      const s3 = env.services().s3
      await sweep(s3, store, bucket, { settleMarginMs: 1000, pageSize: 1000 })
      await writes(env.raw, bucket, 2, 101)
      // Take every event off the queue, then put back a damaged stream.
      const bodies: string[] = []
      for (;;) {
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: f.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))
        const msgs = got.Messages ?? []
        if (msgs.length === 0) break
        bodies.push(...msgs.map(m => m.Body as string))
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: f.queueUrl, Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }))
      }
      const events = bodies.filter(b => parseEventMessage(b).length > 0)
      t.ok(events.length >= 101, `moto sent ${events.length} events for 101 writes`)
      const r = rng(7)
      const damaged = events.filter(() => r() > 0.3).flatMap(b => r() < 0.3 ? [b, b] : [b])
      for (let i = damaged.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [damaged[i], damaged[j]] = [damaged[j], damaged[i]]
      }
      for (const body of damaged) await sqs.send(new SendMessageCommand({ QueueUrl: f.queueUrl, MessageBody: body }))
      const watcher = new EventWatcher(access, s3, store, { queueUrl: f.queueUrl, pageSize: 1000, waitSeconds: 0 })
      await drain(watcher)
      // Keys whose events all got through are current; the index as a whole may not be.
      const live = await env.engine().histories(bucket, '')
      const indexed = new Map((await allPages(async p => await store.histories(bucket, '', p), 1000)).map(h => [h.key, h.versions]))
      const stale = [...live].filter(([key, versions]) => JSON.stringify(indexed.get(key)) !== JSON.stringify(versions)).length
      t.ok(stale > 0, `dropped events left ${stale} keys stale before the sweep`)
      await sweep(s3, store, bucket, { settleMarginMs: 1000, pageSize: 5 })
      await exact(t, env, store, bucket, 'after the sweep')
      // A sweep after writes nobody saw: exact again.
      await writes(env.raw, bucket, 3, 101)
      await sweep(s3, store, bucket, { settleMarginMs: 1000, pageSize: 1000 })
      await exact(t, env, store, bucket, 'after 101 unseen writes and a sweep')
    })
  }
})
