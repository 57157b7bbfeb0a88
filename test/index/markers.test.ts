// A page of ListObjectVersions holds versions and delete markers of many keys. The SDK parses them into
// two lists; the sweep needs them in the server's order (key order), or it commits a key range that
// stops short of the page's real end and leaves keys out of the index. Here delete markers sort before
// later keys' versions on the same page, and the index must still hold every key.
import { CreateBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import { S3Access } from '../../src/s3/access.js'
import { indexEngines } from '../helpers/index-engines.js'
import { s3env } from '../helpers/s3env.js'

const BUCKET = 'ix-markers'
const KEYS = Array.from({ length: 40 }, (_, i) => `d/f${String(i).padStart(4, '0')}`)
// Deleted now: a marker on each of these, all sorting before the last keys.
const DELETED = new Set(KEYS.filter((_, i) => i % 10 === 3))

t.test('a page of versions and delete markers comes in key order, and the index holds every key', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: BUCKET }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }))
  for (const key of KEYS) await env.raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }))
  for (const key of DELETED) await env.raw.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }))

  const s3 = new S3Access({ endpoint: env.endpoint, attempts: 3, timeoutMs: 10_000, concurrency: 4 })
  t.teardown(() => { s3.destroy() })
  for await (const page of s3.listVersions(BUCKET, '')) {
    const keys = page.entries.map(e => e.key)
    t.same(keys, [...keys].sort(), 'entries in key order, markers among versions')
    t.ok(page.entries.some(e => e.deleteMarker), 'the page holds delete markers')
  }

  // Settled history only: the watermark must pass the last write.
  await new Promise(resolve => setTimeout(resolve, 1500))
  const live = KEYS.filter(k => !DELETED.has(k)).map(k => k.slice(2)).sort()
  for (const e of await indexEngines(t)) {
    await t.test(e.name, async t => {
      const { setting, store } = await e.fresh()
      await store.close()
      const run = async (...args: string[]): ReturnType<typeof env.cli> =>
        await env.cli(args, { INFINSTOR_INDEX: setting, INFINSTOR_SETTLE_MARGIN_MS: '1000' })
      const swept = await run('index', BUCKET)
      t.equal(swept.code, 0, swept.stderr)
      t.match(swept.stdout, /40 versions and delete markers|44 versions and delete markers/, 'every entry listed')
      const at = /views up to (\S+Z)/.exec(swept.stdout)?.[1]
      if (at === undefined) return t.fail(`no watermark in: ${swept.stdout}`)
      const ls = await env.cli(['ls', '--json', `s3://${BUCKET}/d/@${at}`], { INFINSTOR_INDEX: setting })
      t.equal(ls.code, 0, ls.stderr)
      const names = (JSON.parse(ls.stdout) as Array<{ name: string }>).map(x => x.name).sort()
      t.same(names, live, 'every live key')
      const status = await run('index', '--status', BUCKET, '--json')
      const b = (JSON.parse(status.stdout) as { buckets: Array<Record<string, unknown>> }).buckets[0]
      t.match(b, { versions: KEYS.length, deleteMarkers: DELETED.size, liveObjects: live.length }, 'the index holds every entry')
    })
  }
})
