// The JupyterLab extension end to end: real moto, real `infinstor serve`,
// real JupyterLab 4 with the extension installed by `infinstor jupyter
// install`, driven in Debian's chromium; listings and file contents are
// compared with the history's oracle.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { freePort } from '../../src/demo/moto.js'
import { ARTIFACTS, DOCS, launch } from '../helpers/browser.js'
import { slice, snapshot } from '../helpers/history.js'
import { prepareLab, writeLabSettings } from '../helpers/jupyterlab.js'
import { reverseProxy } from '../helpers/revproxy.js'
import { BIN, s3env } from '../helpers/s3env.js'
import { buildTextHistory, childrenOf } from '../helpers/texthistory.js'

const BUCKET = 'lab-e2e'
const PLUGIN = '@infinstor/jupyterlab:plugin'
const ZONE = 'Asia/Kolkata'
const ZONE_OFFSET_MS = 5.5 * 3600_000
const seed = Number(process.env.INFINSTOR_SEED ?? Date.now() % 100_000)
t.comment(`seed ${seed} (INFINSTOR_SEED=${seed} replays this history)`)

const s3 = await s3env(t)
const h = await buildTextHistory(s3.raw, BUCKET, seed)
await s3.raw.send(new (await import('@aws-sdk/client-s3')).CreateBucketCommand({ Bucket: 'other-bucket' }))
// Past the server's settle margin, so every step is settled history.
await new Promise(resolve => setTimeout(resolve, 2500))

// --- the daemon -----------------------------------------------------------
const home = await mkdtemp(join(tmpdir(), 'infinstor-e2e-'))
t.teardown(async () => await rm(home, { recursive: true, force: true }))
const daemonPort = await freePort()
const daemonToken = 'daemon-' + Math.random().toString(36).slice(2)
const lab = await prepareLab(t)
let daemon: ChildProcess | undefined
let daemonLog = ''

async function startDaemon (): Promise<void> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(daemonPort), '--token', daemonToken, '--allow-origin', lab.origin], {
    env: { ...s3.env, XDG_CONFIG_HOME: join(home, 'config'), INFINSTOR_CONFIG: join(home, 'none.json') },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  daemon = child
  child.stderr?.on('data', (b: Buffer) => { daemonLog += b.toString() })
  let out = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString()
      if (/serving on/.test(out)) resolve()
    })
    child.once('exit', code => reject(new Error(`infinstor serve exited (${code}):\n${out}${daemonLog}`)))
  })
}

async function stopDaemon (): Promise<void> {
  const c = daemon
  if (c === undefined || c.exitCode !== null || c.signalCode !== null) return
  c.kill('SIGTERM')
  await once(c, 'exit')
}

t.teardown(stopDaemon)
await startDaemon()
const daemonUrl = `http://127.0.0.1:${daemonPort}`

// --- JupyterLab, with the extension installed the way users install it ----
const install = await new Promise<{ code: number, out: string }>(resolve => {
  const c = spawn(process.execPath, [BIN, 'jupyter', 'install', '--user'], { env: lab.env })
  let out = ''
  c.stdout.on('data', (b: Buffer) => { out += b.toString() })
  c.stderr.on('data', (b: Buffer) => { out += b.toString() })
  c.on('exit', code => resolve({ code: code ?? 1, out }))
})
if (install.code !== 0) throw new Error(`infinstor jupyter install --user failed: ${install.out}`)
await writeLabSettings(lab, PLUGIN, { serverUrl: daemonUrl, token: daemonToken })
// No news prompt covering the screenshots (and no call to the internet for it).
await writeLabSettings(lab, '@jupyterlab/apputils-extension:notification', { fetchNews: 'false', checkForUpdates: false })
await writeFile(join(lab.root, 'scratch.ipynb'), JSON.stringify({
  cells: [{ cell_type: 'code', source: '# snippets land below', metadata: {}, outputs: [], execution_count: null }],
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  nbformat: 4,
  nbformat_minor: 5
}))
await lab.start()

const browser = await launch(t)
const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, timezoneId: ZONE })
await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: lab.origin })
const page = await context.newPage()
const pageErrors: string[] = []
page.on('pageerror', e => pageErrors.push(e.message))

async function shot (name: string, docs = false): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true })
  const path = `${ARTIFACTS}jupyterlab-${name}.png`
  await page.screenshot({ path })
  if (docs && process.env.INFINSTOR_DOCS_SCREENSHOTS === '1') {
    await mkdir(DOCS, { recursive: true })
    await copyFile(path, `${DOCS}jupyterlab-${name}.png`)
  }
}

const panel = page.locator('#infinstor-panel')
const items = panel.locator('.jp-DirListing-content .jp-DirListing-itemText')
const indicator = panel.locator('.jp-InfinStor-spec')

/** Waits until the view on display is `spec` (its canonical form); the listing may still be the old one. */
async function viewIs (spec: string): Promise<void> {
  await panel.locator(`.jp-InfinStor-spec[data-spec="${spec}"]`).waitFor()
}

/** The listing, once it equals `expected` or after a while (then the test shows the difference). */
async function listingFor (expected: string[]): Promise<string[]> {
  let names: string[] = []
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    names = (await items.allTextContents()).map(s => s.trim()).sort()
    if (JSON.stringify(names) === JSON.stringify(expected)) break
    await page.waitForTimeout(200)
  }
  return names
}

/** The picker's value for an instant, in the browser's zone (as a user would type it). */
function local (tMs: number): string {
  return new Date(tMs + ZONE_OFFSET_MS).toISOString().slice(0, 19)
}
const second = (tMs: number): number => Math.floor(tMs / 1000) * 1000

async function app<T> (page: Page, fn: string, arg?: unknown): Promise<T> {
  return await page.evaluate(`(${fn})(window.jupyterapp, ${JSON.stringify(arg ?? null)})`) as T
}

async function currentText (): Promise<string> {
  await page.waitForFunction('window.jupyterapp.shell.currentWidget?.context?.isReady === true')
  return await app<string>(page, 'a => a.shell.currentWidget.context.model.toString()')
}

/** Opens the InfinStor sidebar (clicking its tab would close it when it is already open). */
async function showPanel (): Promise<void> {
  await app(page, 'a => a.shell.activateById("infinstor-panel")')
  await panel.waitFor()
}

async function clickButton (command: string): Promise<void> {
  await panel.locator(`[data-command="${command}"]`).click()
}

await page.goto(`${lab.url}lab?token=${lab.token}`)
await page.locator('li.lm-TabBar-tab[data-id="infinstor-panel"]').click({ timeout: 90_000 })

t.test('the panel lists the buckets', async t => {
  t.match(install.out, `installed the InfinStor JupyterLab extension in ${lab.dataDir}`, 'installed into the Jupyter data dir')
  t.same(await listingFor([BUCKET, 'other-bucket']), [BUCKET, 'other-bucket'])
  const options = await panel.locator('select.jp-InfinStor-bucket option').allTextContents()
  t.ok(options.includes(BUCKET) && options.includes('other-bucket'), 'the bucket chooser offers both')
  t.match(await indicator.textContent(), /choose a bucket/)
})

t.test('choosing a bucket shows it as of now', async t => {
  await panel.locator('select.jp-InfinStor-bucket').selectOption(BUCKET)
  await viewIs('latest')
  const expected = childrenOf(snapshot(h, h.at.length - 1))
  t.same(await listingFor(expected), expected)
  t.equal(await indicator.textContent(), '@latest')
})

const [i, j] = [0, 3]
t.test('two past times show different contents, each equal to the oracle', async t => {
  const atI = childrenOf(snapshot(h, i))
  const atJ = childrenOf(snapshot(h, j))
  t.not(JSON.stringify(atI), JSON.stringify(atJ), 'the oracle differs between the two times')
  await panel.locator('button[data-mode="at"]').click()
  const picker = panel.getByLabel('Snapshot time')
  await picker.fill(local(h.at[j]))
  await picker.dispatchEvent('change')
  await viewIs(formatInstant(second(h.at[j])))
  t.same(await listingFor(atJ), atJ, `root at step ${j}`)
  t.equal(await indicator.textContent(), '@' + formatInstant(second(h.at[j])), 'the indicator shows the canonical UTC spec')
  await picker.fill(local(h.at[i]))
  await picker.dispatchEvent('change')
  await viewIs(formatInstant(second(h.at[i])))
  t.same(await listingFor(atI), atI, `root at step ${i}`)
  t.equal(await indicator.textContent(), '@' + formatInstant(second(h.at[i])))
  await shot('snapshot', true)
})

t.test('a file overwritten later opens with its old content, read-only', async t => {
  await items.filter({ hasText: /^train\.csv$/ }).dblclick()
  t.equal(await currentText(), snapshot(h, i).get('train.csv')?.toString(), 'train.csv as it was at step 0')
  t.not(snapshot(h, i).get('train.csv')?.toString(), snapshot(h, h.at.length - 1).get('train.csv')?.toString(), 'and it was overwritten since')
  const hint = page.locator('.jp-Document:visible .jp-InfinStor-readonlyHint')
  t.match(await hint.textContent(), `InfinStor view ${BUCKET} @${formatInstant(second(h.at[i]))}`)
  await shot('readonly-file', true)

  const path = `InfinStor:${BUCKET}/@${formatInstant(second(h.at[i]))}/train.csv`
  const refused = await app<string>(page, `async (a, p) => {
    try { await a.serviceManager.contents.save(p, { type: 'file', format: 'text', content: 'x' }); return 'saved' }
    catch (e) { return (e.response ? e.response.status + ' ' : '') + e.message }
  }`, path)
  t.match(refused, /^403 .*read-only/, 'a write through the drive is refused by the server')
  await page.locator('.jp-Document:visible').click()
  await page.keyboard.press('Control+s')
  const refusal = page.getByText(/train\.csv is read-only\. Use "Save as…" instead/)
  await refusal.waitFor()
  t.pass('Ctrl+S is refused in the UI, with the way out')
})

t.test('a slice shows what was written in the window', async t => {
  const [a, b] = [1, h.at.length - 1]
  const expected = childrenOf(slice(h, a, b))
  await panel.locator('button[data-mode="slice"]').click()
  await panel.getByLabel('Slice start').fill(local(h.at[a]))
  await panel.getByLabel('Slice end').fill(local(h.at[b]))
  await panel.locator('button.jp-InfinStor-openSlice').click()
  await viewIs(`${formatInstant(second(h.at[a]))}..${formatInstant(second(h.at[b]))}`)
  t.same(await listingFor(expected), expected, `slice ${a}..${b}`)
  t.equal(await indicator.textContent(), `@${formatInstant(second(h.at[a]))}..${formatInstant(second(h.at[b]))}`)
  await shot('slice')
})

t.test('Copy Path gives the plain mount path', async t => {
  const spec = await indicator.getAttribute('data-spec')
  await items.filter({ hasText: /^train\.csv$/ }).click()
  await clickButton('infinstor:copy-path')
  await page.waitForFunction('navigator.clipboard.readText().then(t => t.startsWith("/infinstor/"))')
  t.equal(await page.evaluate('navigator.clipboard.readText()'), `/infinstor/${BUCKET}/@${spec ?? ''}/train.csv`)
})

t.test('Insert Snippet adds a reading cell to the active notebook', async t => {
  const spec = await indicator.getAttribute('data-spec')
  await app(page, 'a => a.commands.execute("docmanager:open", { path: "scratch.ipynb" })')
  await page.waitForFunction('window.jupyterapp.shell.currentWidget?.content?.model?.sharedModel?.cells?.length === 1')
  await showPanel()
  await items.filter({ hasText: /^train\.csv$/ }).click()
  await clickButton('infinstor:insert-snippet')
  const cells = await app<string[]>(page, 'a => a.shell.currentWidget.content.model.sharedModel.cells.map(c => c.getSource())')
  t.equal(cells.length, 2)
  t.equal(cells[1], `import pandas as pd\n\ndf = pd.read_csv("/infinstor/${BUCKET}/@${spec ?? ''}/train.csv")\ndf.head()`)
  await shot('snippet', true)
})

t.test('a label: a bad name is refused in the dialog, a good one is created and opens', async t => {
  await showPanel()
  await panel.locator('button[data-mode="at"]').click()
  const picker = panel.getByLabel('Snapshot time')
  await picker.fill(local(h.at[i]))
  await picker.dispatchEvent('change')
  await viewIs(formatInstant(second(h.at[i])))
  const expected = childrenOf(snapshot(h, i))
  t.same(await listingFor(expected), expected)

  await clickButton('infinstor:create-label')
  const dialog = page.locator('.jp-Dialog')
  await dialog.getByLabel('Label name').fill('bad name!')
  await dialog.locator('button', { hasText: 'Create label' }).click()
  const error = page.locator('.jp-Dialog .jp-InfinStor-labelError')
  await error.waitFor()
  t.match(await error.textContent(), /name/i, 'the server\'s reason is shown')
  t.equal(await page.locator('.jp-Dialog').getByLabel('Label name').inputValue(), 'bad name!', 'what was typed is kept')
  await shot('label-error', true)
  await page.locator('.jp-Dialog').getByLabel('Label name').fill('e2e-first')
  await page.locator('.jp-Dialog').getByLabel('Label description').fill('step 0 of the e2e history')
  await page.locator('.jp-Dialog button', { hasText: 'Create label' }).click()
  await page.locator('.jp-Dialog').waitFor({ state: 'detached' })

  await panel.locator('button[data-mode="label"]').click()
  await panel.locator('select.jp-InfinStor-labels option[value="e2e-first"]').waitFor({ state: 'attached' })
  await panel.locator('select.jp-InfinStor-labels').selectOption('e2e-first')
  await viewIs('e2e-first')
  t.same(await listingFor(expected), expected, 'the label shows the view it was made from')
  t.match(await indicator.textContent(), `@e2e-first = ${BUCKET}/@${formatInstant(second(h.at[i]))}`)
})

t.test('a wrong token and a stopped daemon each show what to do', async t => {
  // Through the Settings Editor, as a user would: the panel follows the change at once.
  const token = async (value: string): Promise<void> => {
    await app(page, 'a => a.commands.execute("settingeditor:open", { query: "InfinStor" })')
    const input = page.locator(`[id="jp-SettingsEditor-${PLUGIN}_token"]`)
    await input.fill(value)
    await input.press('Tab')
  }
  const banner = panel.locator('.jp-InfinStor-banner[data-state="problem"]')
  await showPanel()
  await token('not-the-token')
  await banner.waitFor()
  t.match(await banner.textContent(), /refused the token/)
  t.match(await banner.textContent(), /cat ~\/.config\/infinstor\/token/)
  await shot('wrong-token')
  await token(daemonToken)
  await panel.locator('.jp-InfinStor-banner[data-state="ok"]').waitFor({ state: 'attached' })

  await stopDaemon()
  await clickButton('infinstor:refresh')
  await banner.waitFor()
  t.match(await banner.textContent(), /cannot be reached/)
  t.match(await banner.textContent(), `infinstor serve --allow-origin ${lab.origin}`)
  t.ok(await panel.locator('.jp-FileBrowser').isHidden(), 'no stale listing while the daemon is away')
  await shot('daemon-down', true)
  await startDaemon()
  await banner.locator('button', { hasText: 'Retry' }).click()
  await panel.locator('.jp-InfinStor-banner[data-state="ok"]').waitFor({ state: 'attached' })
  t.ok(await panel.locator('.jp-FileBrowser').isVisible(), 'the browser is back')
})

t.test('no errors in the page', async t => {
  t.same(pageErrors, [])
})

t.test('behind a same-origin reverse proxy, the default Server URL needs no setting but the token', async t => {
  // As the README's nginx example: <JupyterLab>/infinstor/ goes to the daemon, with its own Host.
  const labPort = Number(new URL(lab.origin).port)
  const proxy = await reverseProxy(t, [
    { prefix: '/infinstor/', port: daemonPort, upstreamHost: true },
    { prefix: '/', port: labPort }
  ])
  await writeLabSettings(lab, PLUGIN, { token: daemonToken })
  const proxied = await context.newPage()
  const crossOrigin: string[] = []
  proxied.on('request', r => { if (!r.url().startsWith(proxy.origin)) crossOrigin.push(r.url()) })
  // A workspace of its own, so the browser starts at the root rather than where the first page left it.
  await proxied.goto(`${proxy.origin}/lab/workspaces/proxied?token=${lab.token}`)
  await proxied.waitForFunction('window.jupyterapp?.restored !== undefined')
  // After the workspace is restored, or the restore would fold the sidebar away again.
  await proxied.evaluate('window.jupyterapp.restored.then(() => window.jupyterapp.shell.activateById("infinstor-panel"))')
  const names = proxied.locator('#infinstor-panel .jp-DirListing-content .jp-DirListing-itemText')
  await names.first().waitFor()
  const expected = [BUCKET, 'other-bucket']
  let seen: string[] = []
  for (const deadline = Date.now() + 20_000; Date.now() < deadline && JSON.stringify(seen) !== JSON.stringify(expected);) {
    seen = (await names.allTextContents()).map(s => s.trim()).sort()
    await proxied.waitForTimeout(200)
  }
  t.same(seen, expected, 'the buckets, through <JupyterLab>/infinstor/')
  t.same(crossOrigin, [], 'every request stays on the page\'s origin')
  await proxied.close()
})
