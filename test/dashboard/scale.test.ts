// Many objects in one folder: the API pages, the lists stay virtual, the timeline stays one small reply.
// moto re-copies every version on each ListObjectVersions page (about 8 s a page at 20,000 versions), so
// `npm test` uses 5,000 objects (ten pages of the dashboard's list, 4x its DOM budget); set
// INFINSTOR_SCALE_N=20000 to run it at the size the dashboard is specified for.
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { startApp, TOKEN } from '../helpers/app.js'
import { launch, shot } from '../helpers/browser.js'
import { s3env } from '../helpers/s3env.js'

const N = Number(process.env.INFINSTOR_SCALE_N ?? 5000)
const shown = N.toLocaleString('en-US')
const name = (i: number): string => `f${String(i).padStart(5, '0')}.txt`
const env = await s3env(t)
await env.raw.send(new CreateBucketCommand({ Bucket: 'big' }))
await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'big', VersioningConfiguration: { Status: 'Enabled' } }))
const before = formatInstant(Date.now() - 2000)
let next = 0
const started = Date.now()
await Promise.all(Array.from({ length: 16 }, async () => {
  while (next < N) {
    const i = next++
    await env.raw.send(new PutObjectCommand({ Bucket: 'big', Key: `many/${name(i)}`, Body: String(i) }))
  }
}))
t.comment(`wrote ${N} objects in ${Date.now() - started} ms`)
const app = await startApp(env, { 's3-timeout-ms': 60_000 })
t.teardown(app.close)

async function timed<T> (what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now()
  const out = await fn()
  t.comment(`${what}: ${Date.now() - t0} ms`)
  return out
}

t.test(`the API pages through ${shown} entries, each page a bounded reply`, async t => {
  const first = await timed(`first dir page (cold: lists ${shown} versions)`, async () => await app.json('/api/infinstor/buckets/big/dir?path=many/&limit=500'))
  const names: string[] = []
  let snapshot = `&snapshot=${first.snapshot as string}`
  for (let offset = 0; offset < N; offset += 5000) {
    const page = await timed(`dir page at ${offset} (from the snapshot)`, async () => await app.json(`/api/infinstor/buckets/big/dir?path=many/&offset=${offset}&limit=5000${snapshot}`))
    snapshot = `&snapshot=${page.snapshot as string}`
    t.equal(page.total, N)
    t.ok(page.entries.length <= 5000, 'a page is at most 5000')
    names.push(...page.entries.map((e: { name: string }) => e.name))
  }
  t.same(names, Array.from({ length: N }, (_, i) => name(i)), 'every object once, in order')
  const capped = await app.json('/api/infinstor/buckets/big/dir?path=many/&limit=1000000')
  t.equal(capped.entries.length, Math.min(N, 5000), 'limit is capped')
  const timeline = await timed(`timeline of ${shown} writes`, async () => await app.json('/api/infinstor/buckets/big/timeline?bins=200'))
  t.same(timeline.total, { writes: N, deletes: 0 })
  t.ok(timeline.bins.length <= 200)
  const diff = await timed(`diff of ${shown} additions (first page)`, async () => await app.json(`/api/infinstor/buckets/big/diff?a=${before}&b=latest&limit=100`))
  t.same([diff.total, diff.changes.length, diff.counts.added], [N, 100, N])
  const summary = await timed('bucket summary', async () => await app.json('/api/infinstor/buckets/big'))
  t.equal(summary.liveObjects, N)
})

t.test('in the browser the list renders only what is in sight', async t => {
  const browser = await launch(t)
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
  await page.goto(`${app.url}/ui/?token=${TOKEN}#/browse?bucket=big&path=many/`)
  await timed(`browser: first rows of ${shown}`, async () => await page.locator('.vrow >> text=f00000.txt').waitFor({ timeout: 300_000 }))
  t.match(await page.locator('.summary').textContent(), new RegExp(`^${shown} entries`))
  const rows = await page.locator('.vrow').count()
  t.ok(rows < 60, `only ${rows} rows in the DOM`)
  await timed('browser: scroll to the end and show the last page', async () => {
    await page.locator('.vscroll').evaluate(el => { el.scrollTop = el.scrollHeight })
    await page.locator(`.vrow >> text=${name(N - 1)}`).waitFor({ timeout: 60_000 })
  })
  t.ok(await page.locator('.vrow').count() < 60, 'still only the rows in sight')
  await page.locator('.timeline svg').waitFor()
  t.match(await page.locator('.timeline-legend').textContent(), new RegExp(`${N.toLocaleString('en-US')} writes`))
  await shot(page, `browse-${N}`)
})
