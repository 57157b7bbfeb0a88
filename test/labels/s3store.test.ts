// The shared label store in S3 (real moto): layout, immutability, corruption, outages and races.
import {
  CreateBucketCommand, DeleteObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand
} from '@aws-sdk/client-s3'
import t from 'tap'
import { labelRecord, type Label } from '../../src/core/label-record.js'
import { parseInstant } from '../../src/core/timespec.js'
import { startMoto } from '../../src/demo/moto.js'
import { S3LabelStore } from '../../src/labels/s3store.js'
import { S3Access } from '../../src/s3/access.js'
import { s3env } from '../helpers/s3env.js'

const T = parseInstant('2022-12-06T00:00:00Z')

function label (name: string, creator = 'ann@box', bucket = 'sales'): Label {
  return { name, bucket, prefix: 'q4/', spec: { kind: 'slice', from: T, to: T + 60_000 }, createdAt: T + 120_000, creator }
}

t.test('shared store in S3', async t => {
  const env = await s3env(t)
  const { s3 } = env.services()
  const bucket = async (name: string, versioned = true): Promise<void> => {
    await env.raw.send(new CreateBucketCommand({ Bucket: name }))
    if (versioned) {
      await env.raw.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }))
    }
  }
  const rawPut = async (b: string, key: string, body: string): Promise<void> => {
    await env.raw.send(new PutObjectCommand({ Bucket: b, Key: key, Body: body }))
  }
  const keys = async (b: string): Promise<string[]> => {
    const out = await env.raw.send(new ListObjectVersionsCommand({ Bucket: b }))
    return [...new Set((out.Versions ?? []).map(v => v.Key ?? ''))].sort()
  }

  await t.test('lifecycle: one object per label, deletion keeps the name', async t => {
    await bucket('store1')
    const store = new S3LabelStore(s3, 'store1', 'team/labels/')
    t.equal(store.where, 's3://store1/team/labels/')
    t.same(await store.list(), [], 'an empty prefix is an empty store')
    await store.create(label('b'))
    await store.create(label('a', 'bob@box', 'other'))
    t.same(await keys('store1'), ['team/labels/a/label.json', 'team/labels/b/label.json'])
    t.same((await store.list()).map(l => l.name), ['a', 'b'])
    t.same((await store.list('sales')).map(l => l.name), ['b'])
    t.same(await store.get('b'), { label: label('b'), deleted: undefined })
    await t.rejects(store.create(label('b', 'carl@box')), { code: 'Conflict', message: /label 'b' already exists.*by ann@box/ })
    await store.remove('b', 'dora@box')
    t.same((await store.list()).map(l => l.name), ['a'])
    t.same(await keys('store1'), ['team/labels/a/label.json', 'team/labels/b/deleted.json', 'team/labels/b/label.json'])
    await t.rejects(store.create(label('b')), { code: 'Conflict', message: /label 'b' was deleted on .* by dora@box.*never reused/ })
    await t.rejects(store.remove('b', 'x'), { code: 'NotFound', message: /label 'b' was deleted/ })
    await t.rejects(store.remove('nope', 'x'), { code: 'NotFound', message: /no label named 'nope' in the label store s3:\/\/store1\/team\/labels\// })
    t.same((await new S3LabelStore(s3, 'store1', 'team/labels/').get('b'))?.deleted?.deletedBy, 'dora@box', 'another client sees it')
  })

  await t.test('the first version of a label object is the label', async t => {
    await bucket('store2')
    const store = new S3LabelStore(s3, 'store2', 'l/')
    await store.create(label('first'))
    await rawPut('store2', 'l/first/label.json', JSON.stringify(labelRecord(label('first', 'mallory@box'))))
    t.equal((await store.get('first'))?.label.creator, 'ann@box', 'a later overwrite is ignored')
    await env.raw.send(new DeleteObjectCommand({ Bucket: 'store2', Key: 'l/first/label.json' }))
    t.same(await store.list(), [], 'a plain S3 delete deletes the label')
    t.equal((await store.get('first'))?.deleted?.deletedBy, 'a plain S3 delete')
    await t.rejects(store.create(label('first')), { code: 'Conflict', message: /was deleted/ }, 'and the name stays taken')
  })

  await t.test('a creator that loses a race on a server ignoring If-None-Match is told so', async t => {
    await bucket('store3')
    // The rival's write lands between our check and our write, and the server
    // does not honour If-None-Match: only the verification can catch it.
    class Racing extends S3Access {
      override async put (b: string, key: string, body: string | Uint8Array): Promise<{ versionId?: string }> {
        await rawPut(b, key, JSON.stringify(labelRecord(label('raced', 'rival@box'))))
        return await super.put(b, key, body, { ifNoneMatch: false })
      }
    }
    const racing = new Racing({ endpoint: env.endpoint, attempts: 2, timeoutMs: 5000, concurrency: 4 })
    t.teardown(() => racing.destroy())
    const store = new S3LabelStore(racing, 'store3', '')
    await t.rejects(store.create(label('raced')), {
      code: 'Conflict', message: /label 'raced' already exists.*by rival@box \(a concurrent command wrote it first/
    })
    t.equal((await new S3LabelStore(s3, 'store3', '').get('raced'))?.label.creator, 'rival@box', 'the first write stands')
  })

  await t.test('corrupt objects and foreign keys are reported, not skipped', async t => {
    await bucket('store4')
    const store = new S3LabelStore(s3, 'store4', 'l/')
    await store.create(label('good'))
    await rawPut('store4', 'l/bad/label.json', '{"name": "bad", "bucket": ')
    await t.rejects(store.list(), { code: 'Corrupt', message: /label store object s3:\/\/store4\/l\/bad\/label.json \(version .*\) is corrupt: it is not valid JSON/ })
    await t.rejects(store.get('bad'), { code: 'Corrupt' })
    t.equal((await store.get('good'))?.label.name, 'good', 'other labels still resolve one by one')

    await bucket('store5')
    const store5 = new S3LabelStore(s3, 'store5', '')
    await rawPut('store5', 'wrong/label.json', JSON.stringify(labelRecord(label('right'))))
    await t.rejects(store5.list(), { code: 'Corrupt', message: /holds label 'right' under the name 'wrong'/ })
    await bucket('store6')
    const store6 = new S3LabelStore(s3, 'store6', 'l/')
    await store6.create(label('ok'))
    await rawPut('store6', 'l/README.txt', 'hello')
    await t.rejects(store6.list(), { code: 'Corrupt', message: /holds s3:\/\/store6\/l\/README.txt, which is not part of a label/ })
    await t.rejects(store6.create(label('more')), { code: 'Corrupt', message: /holds s3:\/\/store6\/l\/README.txt/ }, 'nothing is written into it either')
    await t.rejects(store6.remove('ok', 'me'), { code: 'Corrupt' })
    t.equal(await store6.get('more'), undefined, 'no label was written')
    await rawPut('store6', 'l/half/deleted.json', JSON.stringify({ name: 'half', deletedAt: '2022-12-06T00:00:00Z', deletedBy: 'x' }))
    await t.rejects(store6.get('half'), { code: 'Corrupt', message: /'half' has a deletion record but no label object/ })
  })

  await t.test('an unversioned or missing store bucket is refused clearly', async t => {
    await bucket('plain', false)
    const store = new S3LabelStore(s3, 'plain', 'l/')
    await t.rejects(store.create(label('x')), { code: 'NotVersioned', message: /label store s3:\/\/plain\/l\/: bucket 'plain' does not have versioning enabled.*infinstor enable plain/ })
    const missing = new S3LabelStore(s3, 'no-such-store', '')
    await t.rejects(missing.list(), { code: 'NotFound', message: /label store s3:\/\/no-such-store\/: bucket 'no-such-store' does not exist/ })
  })

  await t.test('an unreachable store says so', async t => {
    const gone = await startMoto()
    await gone.stop()
    const dead = new S3Access({ endpoint: gone.endpoint, attempts: 1, timeoutMs: 2000, concurrency: 2 })
    t.teardown(() => dead.destroy())
    const store = new S3LabelStore(dead, 'store1', 'team/labels/')
    await t.rejects(store.list(), { code: 'Unavailable', message: /label store s3:\/\/store1\/team\/labels\/ is unreachable/ })
    await t.rejects(store.get('a'), { code: 'Unavailable' })
    await t.rejects(store.create(label('a')), { code: 'Unavailable' })
  })
})
