// The dashboard's session cookie in a real browser (Debian chromium): a page on another port of 127.0.0.1
// (the same "site", so SameSite=Strict does not keep the cookie off its requests) cannot change anything
// with it, the dashboard itself still can, and a browser without the token gets a page that says what to do.
import { CreateBucketCommand, GetBucketVersioningCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { createServer } from 'node:http'
import { once } from 'node:events'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { startApp, TOKEN } from '../helpers/app.js'
import { launch, shot } from '../helpers/browser.js'
import { s3env } from '../helpers/s3env.js'

const env = await s3env(t)
await env.raw.send(new CreateBucketCommand({ Bucket: 'target' }))
await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'target', VersioningConfiguration: { Status: 'Enabled' } }))
await env.raw.send(new PutObjectCommand({ Bucket: 'target', Key: 'data/a.csv', Body: 'a,b\n1,2\n' }))
await env.raw.send(new CreateBucketCommand({ Bucket: 'plain' }))
const written = Date.now()
// Past the settle margin (2 s in tests), so that a label of this time would be accepted.
await new Promise(resolve => setTimeout(resolve, 3500))
const spec = formatInstant(Math.floor(written / 1000) * 1000 + 1000)
const app = await startApp(env)
t.teardown(app.close)
const labelBody = (name: string): string => JSON.stringify({ name, bucket: 'target', path: 'data/', spec })

/** The attacker: a page on another port of 127.0.0.1 that fires requests at the dashboard's server. */
const attack = `<!doctype html><html><body>
<form id="f" method="POST" enctype="text/plain" action="${app.url}/api/infinstor/labels">
<input name='${labelBody('squat-form').slice(0, -1)}, "x": "' value='"}'>
</form>
<script>
(async () => {
  const results = {}
  const tryFetch = async (name, init) => {
    try { const r = await fetch(init.url, { credentials: 'include', ...init }); results[name] = r.type + ':' + r.status }
    catch (e) { results[name] = 'error:' + e.message }
  }
  await tryFetch('nocors', { url: '${app.url}/api/infinstor/labels', method: 'POST', mode: 'no-cors',
    headers: { 'Content-Type': 'text/plain' }, body: ${JSON.stringify(labelBody('squat-fetch'))} })
  await tryFetch('cors', { url: '${app.url}/api/infinstor/labels', method: 'POST', mode: 'cors',
    headers: { 'Content-Type': 'application/json' }, body: ${JSON.stringify(labelBody('squat-cors'))} })
  await tryFetch('versioning', { url: '${app.url}/api/infinstor/buckets/plain/versioning', method: 'PUT', mode: 'cors',
    headers: { 'Content-Type': 'application/json' }, body: '{"enabled": true}' })
  await tryFetch('delete', { url: '${app.url}/api/infinstor/labels/with-token?force=1', method: 'DELETE', mode: 'cors' })
  document.title = 'fetched ' + JSON.stringify(results)
})()
</script></body></html>`
const evil = createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html' })
  res.end(attack)
})
evil.listen(0, '127.0.0.1')
await once(evil, 'listening')
t.teardown(() => { evil.close() })
const evilUrl = `http://127.0.0.1:${(evil.address() as { port: number }).port}/`

const browser = await launch(t)

t.test('a label is creatable at all with that body (so refusals below are about the cookie)', async t => {
  const res = await app.fetch('/api/infinstor/labels', { method: 'POST', body: labelBody('with-token') })
  t.equal(res.status, 201, await res.text())
})

t.test('another local origin cannot create labels or change versioning with the cookie', async t => {
  const context = await browser.newContext()
  const page = await context.newPage()
  const sent: string[] = []
  context.on('request', r => { if (r.url().startsWith(app.url + '/api/')) sent.push(r.method()) })
  await page.goto(`${app.url}/ui/?token=${TOKEN}`)
  await page.waitForSelector('text=Every bucket these credentials can see')
  const cookies = await context.cookies(app.url)
  t.ok(cookies.some(c => c.name === 'infinstor-token' && c.httpOnly), 'the dashboard cookie is set')

  await page.goto(evilUrl)
  await page.waitForFunction(() => document.title.startsWith('fetched'), undefined, { timeout: 60_000 })
  t.comment(await page.title())
  // The form last: submitting it leaves the page.
  await Promise.all([
    page.waitForURL(url => url.toString().startsWith(app.url), { timeout: 60_000 }),
    page.evaluate(() => { (document.getElementById('f') as HTMLFormElement).submit() })
  ])
  const formReply = await page.textContent('body') ?? ''
  t.match(formReply, /Authorization/, `the form POST is refused: ${formReply}`)
  t.ok(sent.includes('POST'), `the browser sent the attacker's requests (${sent.join(', ')})`)

  const names = (await app.json<Array<{ name: string }>>('/api/infinstor/labels')).map(l => l.name)
  t.same(names, ['with-token'], 'no label was created (or deleted) from the other origin')
  const state = await env.raw.send(new GetBucketVersioningCommand({ Bucket: 'plain' }))
  t.equal(state.Status, undefined, 'versioning of the plain bucket is unchanged')
  await context.close()
})

t.test('the dashboard itself still creates labels and changes versioning with its cookie', async t => {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(`${app.url}/ui/?token=${TOKEN}`)
  await page.waitForSelector('text=Every bucket these credentials can see')
  const results = await page.evaluate(async (body) => {
    const post = await fetch('/api/infinstor/labels', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
    const put = await fetch('/api/infinstor/buckets/plain/versioning', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"enabled": true}' })
    return [post.status, put.status]
  }, labelBody('from-dashboard'))
  t.same(results, [201, 200], 'same-origin requests with the cookie work')
  const state = await env.raw.send(new GetBucketVersioningCommand({ Bucket: 'plain' }))
  t.equal(state.Status, 'Enabled')
  await context.close()
})

t.test('without the token, /ui/ explains how to open the dashboard, and a pasted token opens it', async t => {
  const context = await browser.newContext()
  const page = await context.newPage()
  const res = await page.goto(`${app.url}/ui/`)
  t.equal(res?.status(), 401)
  const text = await page.textContent('body') ?? ''
  t.match(text, /infinstor ui/, 'names the command that opens it')
  t.notMatch(text, /"reason"/, 'not raw JSON')
  await shot(page, 'sign-in', true)

  const wrong = 'wrong-token-3f9a71'
  await page.getByLabel('token').fill(wrong)
  await page.getByRole('button', { name: 'Open the dashboard' }).click()
  await page.getByRole('alert').waitFor()
  t.match(await page.getByRole('alert').textContent(), /not accepted/)
  t.notOk((await page.content()).includes(wrong), 'the refused token is not echoed in the page')

  await page.getByLabel('token').fill(TOKEN)
  await page.getByRole('button', { name: 'Open the dashboard' }).click()
  await page.waitForSelector('text=Every bucket these credentials can see')
  t.notMatch(page.url(), /token=/, 'and the token leaves the address bar')
  await context.close()
})
