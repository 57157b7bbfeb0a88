// The dashboard in a real browser (Debian chromium) against a real S3 (moto).
import { CreateBucketCommand, GetBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import type { Locator } from 'playwright-core'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { nextSecond, seedDemo } from '../../src/demo/seed.js'
import { startApp, TOKEN } from '../helpers/app.js'
import { launch, shot } from '../helpers/browser.js'
import { s3env } from '../helpers/s3env.js'

const env = await s3env(t)
const { s3 } = env.services()
const steps = await seedDemo(s3, 'sales')
await nextSecond()
await s3.put('sales', 'q4/meta.json', JSON.stringify({ source: 'pos', rows: 40 }))
await s3.put('sales', 'q4/chart.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="40"><rect width="60" height="40" fill="#2458d6"/></svg>')
await env.raw.send(new CreateBucketCommand({ Bucket: 'raw-logs' }))
await env.raw.send(new PutObjectCommand({ Bucket: 'raw-logs', Key: 'app.log', Body: 'started\n' }))
// Past the settle margin, so every step is settled history.
await new Promise(resolve => setTimeout(resolve, 2500))
const at = steps.map(s => formatInstant(s.at))
const app = await startApp(env, {}, 'http://127.0.0.1:8942')
t.teardown(app.close)
const browser = await launch(t)
const page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
const errors: string[] = []
page.on('pageerror', e => errors.push(e.message))
const ui = (hash: string): string => `${app.url}/ui/#/${hash}`
await page.goto(`${app.url}/ui/?token=${TOKEN}`)

t.test('the token in the URL logs in, and is dropped from the address bar', async t => {
  await page.waitForSelector('text=Every bucket these credentials can see')
  t.notMatch(page.url(), /token=/)
})

t.test('buckets: state, counts, and enabling InfinSnap with a confirmation', async t => {
  const sales = page.locator('tr[data-bucket="sales"]')
  await sales.locator('text=Disable InfinSnap').waitFor()
  await sales.locator('td.num').first().waitFor()
  t.equal((await sales.locator('td.num').first().textContent())?.trim(), '6', 'objects now')
  const raw = page.locator('tr[data-bucket="raw-logs"]')
  t.match(await raw.locator('.badge').textContent(), /off/)
  await shot(page, 'buckets', true)
  await raw.locator('text=Enable InfinSnap').click()
  const dialog = page.getByRole('dialog')
  t.match(await dialog.textContent(), /history starts now/, 'the consequences are explained')
  await shot(page, 'enable-confirm')
  await dialog.locator('button', { hasText: 'Enable versioning' }).click()
  await raw.locator('.badge', { hasText: 'on' }).waitFor()
  const state = await env.raw.send(new GetBucketVersioningCommand({ Bucket: 'raw-logs' }))
  t.equal(state.Status, 'Enabled', 'S3 has versioning on')
  await page.locator('tr[data-bucket="sales"] >> text=Disable InfinSnap').click()
  t.match(await page.getByRole('dialog').textContent(), /destroys the previous data for good/)
  await page.getByRole('dialog').locator('button', { hasText: 'Cancel' }).click()
  t.equal((await env.raw.send(new GetBucketVersioningCommand({ Bucket: 'sales' }))).Status, 'Enabled', 'cancel changes nothing')
})

const shown = (iso: string): string => iso.replace('T', ' ').replace('Z', ' UTC')

/** The locator's count once it reaches `expected`, or its last count after `ms`: a preview may still be rendering. */
async function countWhenSettled (locator: Locator, expected: number, ms = 10_000): Promise<number> {
  const deadline = Date.now() + ms
  let n = await locator.count()
  while (n !== expected && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 100))
    n = await locator.count()
  }
  return n
}

/** The names listed once the listing for `spec` (if given) is on screen. */
async function listing (spec?: string): Promise<string[]> {
  await page.locator('.summary').waitFor()
  if (spec !== undefined) await page.locator('.summary', { hasText: `at ${shown(spec)}` }).waitFor()
  await page.waitForFunction(() => document.querySelectorAll('.listing .progress').length === 0)
  return await page.locator('.vrow .c-name').allTextContents()
}

t.test('browse at two times shows different contents', async t => {
  await page.goto(ui('browse?bucket=sales&path=q4/'))
  await page.getByLabel('time (UTC)').fill(at[1].slice(0, 19))
  await page.getByLabel('time (UTC)').press('Enter')
  await page.waitForURL(/at=/)
  t.same(await listing(at[1]), ['test.csv', 'train.csv'], `q4 at ${at[1]}`)
  await page.getByLabel('time (UTC)').fill(at[3].slice(0, 19))
  await page.getByLabel('time (UTC)').press('Enter')
  t.same(await listing(at[3]), ['extra/', 'train.csv'], `q4 at ${at[3]}: test.csv deleted, extra/ added`)
  await page.locator('a.c-name', { hasText: 'train.csv' }).click()
  const preview = page.getByRole('complementary')
  await preview.locator('table').waitFor()
  t.equal(await countWhenSettled(preview.locator('tbody tr'), 40), 40, 'CSV preview as a table: 40 rows at step 3')
  t.match(await preview.textContent(), /Download this version/)
  t.match(await preview.locator('.mono.small').first().textContent(), new RegExp(`^/mnt/infinstor/sales/@${at[3]}/q4/train\\.csv$`), 'plain mount path')
  t.equal(await preview.locator('.s3-url').textContent(), `s3://sales/@${at[3]}/q4/train.csv`, 'the S3 URL for the gateway')
  t.equal(await preview.getByRole('button', { name: 'Copy S3 URL' }).count(), 1, 'beside Copy mount path')
  await shot(page, 'browse', true)
  await page.goto(ui(`browse?bucket=sales&path=q4/&at=${at[1]}&file=q4/train.csv`))
  await page.getByRole('complementary').locator('table').waitFor()
  await page.locator('.summary', { hasText: `at ${shown(at[1])}` }).waitFor()
  await page.waitForFunction(() => document.querySelectorAll('.preview .progress').length === 0)
  t.equal(await countWhenSettled(page.getByRole('complementary').locator('tbody tr'), 20), 20, 'the same file had 20 rows at step 1')
  const href = await page.getByRole('link', { name: 'Download this version' }).getAttribute('href') ?? ''
  const res = await page.request.get(app.url + href)
  t.equal(res.headers()['content-disposition'], "attachment; filename*=UTF-8''train.csv")
  t.equal((await res.text()).trim().split('\n').length, 21, 'the download is the version at T')
})

t.test('a time before the bucket\'s history begins says so, with an empty listing', async t => {
  await page.goto(ui('browse?bucket=sales&path=q4/&at=2022-12-06T00:00:00Z'))
  const note = page.locator('.history-note')
  await note.waitFor()
  t.match(await note.textContent(), /before the history of bucket 'sales' begins \(.+, its earliest versioned write\)/)
  t.same(await listing('2022-12-06T00:00:00Z'), [], 'nothing listed')
  await page.goto(ui(`browse?bucket=sales&path=q4/&at=${at[3]}`))
  t.same(await listing(at[3]), ['extra/', 'train.csv'], 'a time within the history lists its files')
  t.equal(await note.count(), 0, 'and has no such note')
})

t.test('previews: JSON, images, text', async t => {
  await page.goto(ui('browse?bucket=sales&path=q4/&file=q4/meta.json'))
  t.match(await page.locator('pre.json').textContent(), /"source": "pos"/)
  await page.goto(ui('browse?bucket=sales&path=q4/&file=q4/chart.svg'))
  const img = page.getByRole('complementary').locator('img')
  await img.waitFor()
  await page.waitForFunction(() => (document.querySelector('.preview img') as HTMLImageElement)?.naturalWidth > 0)
  t.pass('the image loads')
  await page.goto(ui('browse?bucket=sales&file=README.md'))
  t.match(await page.locator('pre.preview-text').textContent(), /Test split retired/)
})

t.test('clicking the timeline travels to that time', async t => {
  await page.goto(ui('browse?bucket=sales&path=q4/'))
  // Changing the hash alone leaves the previous view's timeline up until this
  // one has loaded (on a fast machine the test took that one's box, then it
  // was gone): load the page afresh.
  await page.reload()
  const svg = page.locator('.timeline svg')
  await svg.waitFor()
  const data = await (await app.fetch('/api/infinstor/buckets/sales/timeline?path=q4/&bins=120')).json()
  // The bin holding step 1's writes (q4/train.csv and q4/test.csv added): the first with writes in q4/.
  const i = data.bins.findIndex((b: { writes: number }) => b.writes > 0)
  const box = await svg.boundingBox()
  if (box === null) throw new Error('no timeline')
  await svg.click({ position: { x: (i + 0.5) * box.width / data.bins.length, y: box.height / 3 } })
  await page.waitForURL(/at=/)
  const chosen = decodeURIComponent(new URL(page.url().replace('#/', '')).searchParams.get('at') ?? '')
  t.ok(Date.parse(chosen) >= steps[1].at - 1000 && Date.parse(chosen) < steps[2].at, `jumped to ${chosen}, within step 1`)
  t.same(await listing(chosen), ['test.csv', 'train.csv'], 'the listing shows that time')
  await shot(page, 'timeline', true)
  // Dragging across the first quarter of the chart zooms in on it: the axis then starts and ends there.
  const left = await page.locator('.timeline text.axis').last().textContent()
  await page.mouse.move(box.x + 3, box.y + 20)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width / 4, box.y + 20)
  await page.mouse.up()
  await page.getByRole('button', { name: 'Fit to the activity' }).waitFor()
  await page.waitForFunction(prev => document.querySelectorAll('.timeline text.axis')[1]?.textContent !== prev, left)
  t.pass('zoomed in')
  await page.getByRole('button', { name: 'Fit to the activity' }).click()
  await page.getByRole('button', { name: 'Fit to the activity' }).waitFor({ state: 'detached' })
  t.pass('and back out')
})

t.test('slice: what was ingested in a window', async t => {
  await page.goto(ui('slice?bucket=sales'))
  // As a user does: type once the fields show the bucket's window (the defaults arrive with the timeline).
  await page.waitForFunction(() => (document.querySelector('input[name="to"]') as HTMLInputElement | null)?.value !== '', undefined, { timeout: 30_000 })
  await page.getByLabel('from (UTC)').fill(at[1].slice(0, 19))
  await page.getByLabel('to (UTC)').fill(at[2].slice(0, 19))
  await page.getByRole('button', { name: 'Show slice' }).click()
  // The summary and rows render as the slice's pages arrive: wait (bounded) for the settled answer, then check it.
  await page.locator('.summary').filter({ hasText: /^2 files/ }).waitFor({ timeout: 20_000 }).catch(() => {})
  await page.waitForFunction(() => document.querySelectorAll('.vrow .c-name').length >= 2, undefined, { timeout: 20_000 }).catch(() => {})
  t.match(await page.locator('.summary').textContent(), /^2 files/)
  t.same((await page.locator('.vrow .c-name').allTextContents()).sort(), ['q4/extra/holidays.csv', 'q4/train.csv'])
  await shot(page, 'slice', true)
})

t.test('diff: between two times', async t => {
  await page.goto(ui('diff?bucket=sales'))
  await page.getByLabel('From (A)', { exact: true }).fill(at[1])
  await page.getByLabel('To (B)', { exact: true }).fill(at[4])
  await page.locator('.hint .good').first().waitFor()
  await page.getByRole('button', { name: 'Compare' }).click()
  await page.locator('.summary').waitFor()
  const rows = await page.locator('.vrow').allTextContents()
  t.same(rows.map(r => r.replace(/\d{4}-.*$/, '')).sort(), [
    'addedq4/extra/holidays.csv30 B',
    'modifiedREADME.md39 B → 59 B',
    'modifiedq4/test.csv114 B → 173 B',
    'modifiedq4/train.csv406 B → 793 B'
  ], 'what changed, with sizes before and after')
  t.match(await page.locator('.summary').textContent(), /1 added.*3 modified.*0 deleted/)
  await shot(page, 'diff', true)
  await page.getByLabel('From (A)', { exact: true }).fill('2022-13-01')
  await page.locator('.hint .bad').waitFor()
  t.match(await page.locator('.hint .bad').textContent(), /Accepted forms/, 'a bad time says what is accepted')
})

t.test('labels: create from the current view, then delete', async t => {
  await page.goto(ui(`browse?bucket=sales&path=q4/&at=${at[2]}`))
  await listing(at[2])
  await page.getByRole('link', { name: 'Label this view…' }).click()
  const form = page.getByRole('form', { name: 'new label' })
  await form.waitFor()
  t.equal(await form.getByLabel('label folder').inputValue(), 'q4/', 'the folder comes from the view')
  t.equal(await form.getByLabel('Time or slice', { exact: true }).inputValue(), at[2], 'and the time')
  await form.getByLabel('label name').fill('2022-01-01')
  t.match(await form.locator('.bad').textContent(), /looks like a time/, 'a name that reads as a time is refused at once')
  await form.getByLabel('label name').fill('q4-step2')
  await form.getByLabel('label description').fill('train grew to 40 rows')
  await form.getByRole('button', { name: 'Create label' }).click()
  const details = page.locator('.label-details')
  await details.waitFor()
  t.match(await details.textContent(), /s3:\/\/sales\/q4\//)
  t.equal(await page.locator('table.grid tbody tr').count(), 1, 'listed')
  await shot(page, 'labels', true)

  // The server's refusal is shown in the form: the name is taken.
  await page.goto(ui(`labels?new=1&bucket=sales&path=q4/&spec=${at[2]}`))
  await page.getByRole('form', { name: 'new label' }).getByLabel('label name').fill('q4-step2')
  await page.getByRole('button', { name: 'Create label' }).click()
  t.match(await page.getByRole('alert').filter({ hasText: 'already exists' }).textContent(), /already exists/)

  await page.goto(ui('labels?name=q4-step2'))
  await page.getByLabel('filter labels').fill('no-such-thing')
  await page.locator('text=No label matches the filter.').waitFor()
  await page.getByLabel('filter labels').fill('40 rows')
  t.equal(await page.locator('table.grid tbody tr').count(), 1, 'the filter finds descriptions')
  await page.getByRole('link', { name: 'Browse it' }).click()
  await page.locator('.summary').waitFor()
  t.same(await listing(), ['extra/', 'test.csv', 'train.csv'], 'browsing the label shows q4/ at its time')

  await page.goto(ui('labels?name=q4-step2'))
  await page.getByRole('button', { name: 'Delete…' }).click()
  const dialog = page.getByRole('dialog')
  t.match(await dialog.textContent(), /can never be used again/)
  await dialog.getByRole('button', { name: 'Delete label' }).click()
  await page.locator('text=No labels yet').waitFor()
  t.same(await (await app.fetch('/api/infinstor/labels')).json(), [], 'gone from the store')
})

t.test('dialogs take the focus, keep it, and close on Escape, giving the focus back', async t => {
  await page.goto(ui('buckets'))
  const opener = page.locator('tr[data-bucket="sales"]').getByRole('button', { name: 'Disable InfinSnap' })
  await opener.click()
  const dialog = page.getByRole('dialog')
  await dialog.waitFor()
  t.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel', 'the safe choice has the focus')
  for (let i = 0; i < 3; i++) await page.keyboard.press('Tab')
  t.ok(await page.evaluate(() => document.querySelector('[role=dialog]')?.contains(document.activeElement)), 'Tab stays in the dialog')
  await page.keyboard.press('Escape')
  await dialog.waitFor({ state: 'detached' })
  t.ok(await opener.evaluate(b => b === document.activeElement), 'Escape closed it, and the button that opened it has the focus again')
  t.equal((await env.raw.send(new GetBucketVersioningCommand({ Bucket: 'sales' }))).Status, 'Enabled', 'nothing changed')
})

t.test('the bucket stays from Labels to Diff', async t => {
  await app.services.labels.create(app.services.engine, 'keep-bucket', `s3://sales/q4@${at[2]}`)
  t.teardown(async () => { await app.services.labels.remove('keep-bucket') })
  await page.goto(ui('buckets'))
  await page.goto(ui('labels?name=keep-bucket'))
  await page.locator('.label-details').waitFor()
  await page.locator('nav.top').getByRole('link', { name: 'Diff' }).click()
  await page.waitForURL(/#\/diff/)
  t.match(page.url(), /bucket=sales/, 'the Diff page opens on the label\'s bucket')
  await page.getByLabel('From (A)', { exact: true }).waitFor()
  t.equal(await page.getByLabel('bucket').count(), 1, 'the bucket is chosen')
  t.equal(await page.getByLabel('bucket').inputValue(), 'sales')
})

t.test('CSV previews: numbers right-aligned, and the row count', async t => {
  await page.goto(ui(`browse?bucket=sales&path=q4/&at=${at[3]}&file=q4/train.csv`))
  const preview = page.getByRole('complementary')
  await preview.locator('table').waitFor()
  t.match(await preview.locator('.table-count').textContent(), /^40 rows, 3 columns/)
  const align = async (column: number): Promise<string> => await preview.locator(`tbody tr:first-child td:nth-child(${column})`)
    .evaluate(td => getComputedStyle(td).textAlign)
  t.equal(await align(3), 'right', 'units (numbers) are right-aligned')
  t.equal(await align(2), 'left', 'region (text) is not')
  t.equal(await preview.locator('thead th:nth-child(3)').evaluate(th => getComputedStyle(th).textAlign), 'right', 'nor is its heading')
})

t.test('one time format everywhere: UTC, with the local time beside it', async t => {
  // A browser in India (UTC+05:30, no daylight saving) with a 12-hour locale.
  const context = await browser.newContext({ timezoneId: 'Asia/Kolkata', locale: 'en-US', viewport: { width: 1360, height: 900 } })
  const local = await context.newPage()
  await local.goto(`${app.url}/ui/?token=${TOKEN}`)
  const pages = [`browse?bucket=sales&path=q4/&at=${at[3]}&file=q4/train.csv`, `slice?bucket=sales&from=${at[1]}&to=${at[2]}`,
    `diff?bucket=sales&a=${at[1]}&b=${at[4]}`, `labels?new=1&bucket=sales&spec=${at[2]}`, 'buckets']
  for (const hash of pages) {
    await local.goto(`${app.url}/ui/#/${hash}`)
    await local.waitForFunction(() => document.querySelectorAll('.progress').length === 0 && / UTC/.test(document.body.innerText))
    await new Promise(resolve => setTimeout(resolve, 500))
    t.equal(await local.locator('input[type="datetime-local"]').count(), 0, `${hash}: no browser date-time picker (it shows local 12-hour times)`)
    const text = await local.locator('body').evaluate(b => (b as HTMLElement).innerText)
    t.notMatch(text, /\b\d{1,2}:\d\d(:\d\d)?\s?[AP]M\b/, `${hash}: no 12-hour times`)
    const times = [...text.matchAll(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC( \((\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d local, UTC\+05:30\))?/g)]
    t.ok(times.length > 0, `${hash}: times are shown (${times.length})`)
    t.same(times.filter(m => m[1] === undefined).map(m => m[0]), [], `${hash}: each with the local time beside it`)
  }
  await local.goto(`${app.url}/ui/#/browse?bucket=sales&at=${at[3]}`)
  const field = local.getByLabel('time (UTC)')
  t.equal(await field.inputValue(), shown(at[3]).replace(' UTC', ''), 'the time field shows UTC in the same form')
  t.match(await local.locator('.utcinput .beside').first().textContent(), /local, UTC\+05:30/, 'with the local time beside it')
  await shot(local, 'local-times')
  await context.close()
})

t.test('connection: endpoint and credential source, no secrets', async t => {
  await page.goto(ui('connection'))
  await page.locator('dl.facts').first().waitFor()
  const text = await page.locator('main').textContent() ?? ''
  t.match(text, env.endpoint)
  t.match(text, /environment variables/)
  t.match(text, /labels\.json/, 'the label store')
  t.notMatch(text, /AWS_SECRET_ACCESS_KEY=|secret key/i)
  t.match(text, /S3 gateway.*http:\/\/127\.0\.0\.1:8942/, 'the S3 gateway\'s endpoint')
  t.equal(await page.getByRole('button', { name: 'Copy S3 URL' }).count(), 1)
  await shot(page, 'connection', true)
})

t.test('no script errors in the page', async t => {
  t.same(errors, [])
})
