import t from 'tap'
import { GetObjectCommand, ListObjectsV2Command, S3Client, HeadObjectCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { s3env } from '../helpers/s3env.js'
import { buildHistory, snapshot } from '../helpers/history.js'
import { startGateway } from '../../src/gateway/server.js'
import { KeyStore } from '../../src/gateway/keys.js'
import { createReader } from '../../src/reader/reader.js'
import { streamLog } from '../../src/config/log.js'
import { formatInstant } from '../../src/core/timespec.js'

t.test('smoke', async t => {
  const env = await s3env(t)
  const h = await buildHistory(env.raw, 'hist', { seed: 1, steps: 4 })
  const engine = env.engine()
  const reader = createReader({ stream: engine.readStream.bind(engine) }, { cacheBytes: 64 << 20 })
  const keys = new KeyStore(join(mkdtempSync(join(tmpdir(), 'gw-')), 'keys.json'))
  const k = await keys.create('t')
  const gw = await startGateway({ engine, reader, keys, host: '127.0.0.1', port: 0, log: streamLog(l => process.stderr.write(l)) })
  t.teardown(gw.close)
  const c = new S3Client({ endpoint: gw.url, forcePathStyle: true, region: 'eu-west-3', credentials: { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey } })
  console.log((await c.send(new ListBucketsCommand({}))).Buckets)
  const T = formatInstant(h.at[1])
  const l = await c.send(new ListObjectsV2Command({ Bucket: 'hist', Prefix: `@${T}/` }))
  console.log(l.Contents?.map(c => c.Key), l.CommonPrefixes)
  const want = snapshot(h, 1)
  console.log([...want.keys()])
  for (const key of want.keys()) {
    const r = await c.send(new GetObjectCommand({ Bucket: 'hist', Key: `@${T}/${key}` }))
    const b = Buffer.from(await r.Body!.transformToByteArray())
    t.ok(b.equals(want.get(key)!), key)
  }
  const root = await c.send(new ListObjectsV2Command({ Bucket: 'hist', Delimiter: '/' }))
  console.log(root.Contents?.map(c => c.Key), root.CommonPrefixes)
  await t.rejects(c.send(new PutObjectCommand({ Bucket: 'hist', Key: 'x', Body: 'y' })))
  c.destroy()
})
