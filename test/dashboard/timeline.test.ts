// The activity timeline in a real browser: fitted to the activity (a short history is not squeezed against a
// long quiet stretch up to now), zoomable out to now, a short drag is not a click, and the cursor and slider
// sit on the time being viewed, a label's time included.
import { CreateBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import type { TimelineReply } from '../../src/core/api-types.js'
import { formatInstant } from '../../src/core/timespec.js'
import { nextSecond } from '../../src/demo/seed.js'
import { startApp, TOKEN } from '../helpers/app.js'
import { launch, shot } from '../helpers/browser.js'
import { s3env } from '../helpers/s3env.js'

const env = await s3env(t)
await env.raw.send(new CreateBucketCommand({ Bucket: 'short' }))
await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'short', VersioningConfiguration: { Status: 'Enabled' } }))
const put = async (key: string, body: string): Promise<void> => { await env.raw.send(new PutObjectCommand({ Bucket: 'short', Key: key, Body: body })) }
await nextSecond()
await put('a.csv', '1')
await nextSecond()
await put('b.csv', '2')
const middle = Math.floor(Date.now() / 1000) * 1000
await nextSecond()
await put('a.csv', '3')
await env.raw.send(new DeleteObjectCommand({ Bucket: 'short', Key: 'b.csv' }))
// A quiet stretch after a short history: three times as long as the history itself.
await new Promise(resolve => setTimeout(resolve, 9000))
const app = await startApp(env)
t.teardown(app.close)
await app.services.labels.create(app.services.engine, 'mid', `s3://short@${formatInstant(middle)}`)
const browser = await launch(t)
const page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
await page.goto(`${app.url}/ui/?token=${TOKEN}`)
const reply = await app.json<TimelineReply>('/api/infinstor/buckets/short/timeline?bins=120')
const shown = (iso: string): string => iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC')

/** Opens a page afresh (a new hash alone keeps the page's state, a zoom included). */
async function open (hash: string): Promise<void> {
  await page.goto(`${app.url}/ui/#/${hash}`)
  await page.reload()
}

async function axis (): Promise<string[]> {
  await page.locator('.timeline svg').waitFor()
  return await page.locator('.timeline text.axis').allTextContents()
}

/**
 * The axis once `ready` holds for its two end labels, or as it reads after 10 s (then the test shows it):
 * a zoom button flips at the click, and the chart redraws when the new window's reply has come (while it
 * redraws, the axis may have no labels yet).
 */
async function axisOnce (ready: (labels: string[]) => boolean): Promise<string[]> {
  const settled = (labels: string[]): boolean => labels.length >= 2 && ready(labels)
  let labels = await axis()
  for (const deadline = Date.now() + 10_000; !settled(labels) && Date.now() < deadline; labels = await axis()) {
    await page.waitForTimeout(100)
  }
  return labels
}

/** x of the time `ms` on the chart now shown, from the reply that drew it. */
function xOf (data: TimelineReply, width: number, ms: number): number {
  return (ms - Date.parse(data.from)) / (data.bins.length * data.binMs) * width
}

t.test('the default window is the activity, not the activity and the quiet time up to now', async t => {
  t.ok(reply.first !== null && reply.last !== null, 'the reply names the first and last activity')
  t.ok(Date.parse(reply.to) < Date.parse(reply.now) - 5000, `the window ends at the activity (${reply.to}), well before now (${reply.now})`)
  t.ok(Date.parse(reply.to) >= Date.parse(reply.last as string), 'and after the last write')
  await open('browse?bucket=short')
  const [left, right] = await axis()
  t.match(right, shown(reply.to), 'the chart ends where the activity does')
  t.match(left, shown(reply.from))
  const box = await page.locator('.timeline svg').boundingBox()
  const bars = await page.locator('.timeline rect.writes').evaluateAll(rs => rs.map(r => Number(r.getAttribute('x'))))
  t.equal(bars.length, 3, 'three writes, three bars')
  t.ok(Math.max(...bars) > 0.6 * (box?.width ?? 0), 'the last write is drawn in the right part of the chart, not squeezed to the left')
  t.equal(await page.locator('.timeline line.cursor').getAttribute('data-at'), 'latest', 'latest is marked')
  t.ok(Number(await page.locator('.timeline line.cursor').getAttribute('x1')) > Math.max(...bars), 'after the last write: nothing was written since')
  await shot(page, 'timeline-fitted')
})

t.test('zooming out to now', async t => {
  await open('browse?bucket=short')
  await axis()
  await page.getByRole('button', { name: 'Zoom out to now' }).click()
  await page.getByRole('button', { name: 'Fit to the activity' }).waitFor()
  await page.waitForFunction(() => document.querySelector('.timeline line.cursor') !== null)
  const toNow = (labels: string[]): boolean => Date.parse(labels[1].slice(0, 19).replace(' ', 'T') + 'Z') >= Date.parse(reply.now) - 1000
  const [, right] = await axisOnce(toNow)
  t.ok(toNow(['', right]), `the chart now runs to now (${right})`)
  await page.getByRole('button', { name: 'Fit to the activity' }).click()
  await page.getByRole('button', { name: 'Zoom out to now' }).waitFor()
  t.match((await axisOnce(labels => labels[1].includes(shown(reply.to))))[1], shown(reply.to), 'and back to the activity')
})

t.test('a short drag is not a click: it does not travel', async t => {
  await open('browse?bucket=short')
  await axis()
  const box = await page.locator('.timeline svg').boundingBox()
  if (box === null) throw new Error('no timeline')
  const x = box.x + box.width / 2
  await page.mouse.move(x, box.y + 20)
  await page.mouse.down()
  await page.mouse.move(x + 5, box.y + 20)
  await page.mouse.move(x + 10, box.y + 20)
  await page.mouse.up()
  await new Promise(resolve => setTimeout(resolve, 500))
  t.notMatch(page.url(), /at=/, 'the view did not move')
  t.equal(await page.getByRole('button', { name: 'Fit to the activity' }).count(), 0, 'and nothing too narrow to see was zoomed into')
  await page.locator('.timeline svg').click({ position: { x: box.width / 2, y: 20 } })
  await page.waitForURL(/at=/)
  t.pass('a click still travels')
})

t.test('the cursor and the slider sit on the time being viewed, also for a label', async t => {
  for (const [spec, ms] of [[formatInstant(middle), middle], ['mid', middle]] as const) {
    await open(`browse?bucket=short&at=${spec}`)
    await page.locator('.summary', { hasText: shown(formatInstant(ms)) }).waitFor()
    await axis()
    const box = await page.locator('.timeline svg').boundingBox()
    const x1 = Number(await page.locator('.timeline line.cursor').getAttribute('x1'))
    const want = xOf(reply, box?.width ?? 0, ms)
    t.ok(Math.abs(x1 - want) < 2, `${spec}: the cursor is at its time (x ${x1.toFixed(0)}, expected ${want.toFixed(0)})`)
    t.equal(Number(await page.getByLabel('time slider').inputValue()), ms, `${spec}: so is the slider`)
    t.equal(await page.getByLabel('time (UTC)').inputValue(), shown(formatInstant(ms)).replace(' UTC', ''), `${spec}: and the time field`)
  }
  t.match(await page.locator('.timecontrol .showing').textContent(), /label mid/, 'the label is named')
})
