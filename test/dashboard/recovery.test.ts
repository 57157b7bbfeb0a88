// The server goes away and comes back (a restart of `infinstor ui`): the dashboard says so once, and every
// panel loads again by itself, with no button to press and no stale "Failed to fetch" left behind.
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import { streamLog } from '../../src/config/log.js'
import { buildRouter } from '../../src/daemon/http-app.js'
import { openReader, openTree } from '../../src/daemon/open-tree.js'
import { nextSecond } from '../../src/demo/seed.js'
import { listen, type RunningServer } from '../../src/server/http.js'
import { TOKEN } from '../helpers/app.js'
import { launch, shot } from '../helpers/browser.js'
import { s3env } from '../helpers/s3env.js'

const env = await s3env(t)
await env.raw.send(new CreateBucketCommand({ Bucket: 'back' }))
await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'back', VersioningConfiguration: { Status: 'Enabled' } }))
for (const key of ['one/a.txt', 'two/b.txt', 'two/c.txt']) {
  await nextSecond()
  await env.raw.send(new PutObjectCommand({ Bucket: 'back', Key: key, Body: key }))
}
const services = env.services()
const log = streamLog(() => {})
const router = buildRouter(services, openTree(services, openReader(services, log), log))
/** The server as `infinstor ui` runs it, on one port across restarts (the page's address stays the same). */
async function start (port: number): Promise<RunningServer> {
  return await listen(router, { host: '127.0.0.1', port, token: TOKEN, allowOrigins: [] })
}
let server = await start(0)
const port = server.port
t.teardown(async () => { await server.close() })
const browser = await launch(t)
const page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
const url = `http://127.0.0.1:${port}`

async function loaded (): Promise<void> {
  await page.locator('.timeline svg').waitFor({ timeout: 60_000 })
  await page.locator('.vrow .c-name').first().waitFor({ timeout: 60_000 })
}

t.test('every panel recovers by itself once the server is back', async t => {
  await page.goto(`${url}/ui/?token=${TOKEN}#/browse?bucket=back`)
  await loaded()
  await server.close()
  // Navigating while the server is down: the listing and the timeline of the new folder both fail.
  await page.locator('a.c-name.dir', { hasText: 'two/' }).click()
  const banner = page.getByRole('alert').filter({ hasText: 'not answering' })
  await banner.waitFor()
  t.pass('one banner says the server is not answering')
  t.equal(await page.getByRole('button', { name: 'Retry' }).count(), 0, 'no panel has a Retry button of its own')
  t.notMatch(await page.locator('main').textContent(), /Failed to fetch/, 'no raw fetch error in the panels')
  await shot(page, 'server-down')
  // Down for a while: the page keeps asking, without piling up errors.
  await new Promise(resolve => setTimeout(resolve, 4000))
  server = await start(port)
  await banner.waitFor({ state: 'detached', timeout: 60_000 })
  await loaded()
  t.same((await page.locator('.vrow .c-name').allTextContents()).sort(), ['b.txt', 'c.txt'], 'the listing of the folder navigated to is there')
  t.match(await page.locator('.timeline').textContent(), /2 writes/, 'and its timeline')
  t.equal(await page.locator('.waiting, .error').count(), 0, 'and no error is left on the page')
})

t.test('a page first opened while the server is down loads once it is back', async t => {
  await server.close()
  await page.getByRole('link', { name: 'Connection' }).click()
  await page.getByRole('alert').filter({ hasText: 'not answering' }).waitFor()
  server = await start(port)
  await page.locator('dl.facts').first().waitFor({ timeout: 60_000 })
  t.pass('the Connection page loaded by itself')
})
