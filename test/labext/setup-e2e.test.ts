// The drive without its server extension (turned off in Jupyter's config), in real JupyterLab and
// Debian's chromium: a first run asks where the daemon is (URL, masked token, Test, Save) instead of
// showing an error; then it browses that daemon; a wrong token and a stopped daemon each say what to do.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { freePort } from '../../src/demo/moto.js'
import { launch } from '../helpers/browser.js'
import { snapshot } from '../helpers/history.js'
import { prepareLab, writeLabSettings } from '../helpers/jupyterlab.js'
import { BIN, s3env } from '../helpers/s3env.js'
import { buildTextHistory, childrenOf } from '../helpers/texthistory.js'
import { LabPage, ZONE } from './e2e.js'
import { tempDir } from '../helpers/temp.js'

// A real JupyterLab and chromium on a shared, loaded machine: the whole file may take many minutes.
t.setTimeout(1_800_000)
const BUCKET = 'setup-e2e'
const PLUGIN = '@infinstor/jupyterlab:plugin'
const seed = Number(process.env.INFINSTOR_SEED ?? Date.now() % 100_000)
t.comment(`seed ${seed} (INFINSTOR_SEED=${seed} replays this history)`)

const s3 = await s3env(t)
const h = await buildTextHistory(s3.raw, BUCKET, seed, 3)
await new Promise(resolve => setTimeout(resolve, 2500))

const home = tempDir(t, 'setup-e2e')
const lab = await prepareLab(t, { serverConfig: { ServerApp: { jpserver_extensions: { infinstor_jupyter: false } } } })
const daemonPort = await freePort()
const daemonToken = 'daemon-' + Math.random().toString(36).slice(2)
const daemonUrl = `http://127.0.0.1:${daemonPort}`
let daemon: ChildProcess | undefined

async function startDaemon (): Promise<void> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(daemonPort), '--token', daemonToken, '--allow-origin', lab.origin], {
    env: { ...s3.env, XDG_CONFIG_HOME: join(home, 'config'), INFINSTOR_CONFIG: join(home, 'none.json') },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  daemon = child
  let out = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (b: Buffer) => { out += b.toString(); if (/serving on/.test(out)) resolve() })
    child.stderr?.on('data', (b: Buffer) => { out += b.toString() })
    child.once('exit', code => reject(new Error(`infinstor serve exited (${code}):\n${out}`)))
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
await writeLabSettings(lab, '@jupyterlab/apputils-extension:notification', { fetchNews: 'false', checkForUpdates: false })
await lab.start()

const browser = await launch(t)
const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, timezoneId: ZONE })
const page = await context.newPage()
page.setDefaultTimeout(90_000)
const pageErrors: string[] = []
page.on('pageerror', e => pageErrors.push(e.message))
const L = new LabPage(page)
const { panel } = L
const banner = panel.locator('.jp-InfinStor-banner')
await page.goto(`${lab.url}lab?token=${lab.token}`)
await page.locator('li.lm-TabBar-tab[data-id="infinstor-panel"]').click()

t.test('a first run without the server extension asks where the daemon is, without an error', async t => {
  await panel.locator('.jp-InfinStor-banner[data-state="setup"]').waitFor()
  t.equal(await banner.getAttribute('role'), 'status', 'not an alert')
  t.match(await banner.textContent(), /Connect to InfinStor/)
  t.match(await banner.textContent(), 'infinstor jupyter install')
  t.equal(await panel.getByLabel('Token').getAttribute('type'), 'password', 'the token is masked')
  t.ok(await panel.locator('.jp-InfinStor-setupSave').isDisabled(), 'nothing to save before a test')
  await L.shot('setup')
})

t.test('Test says what is wrong; after a good test, Save connects the panel', async t => {
  await panel.getByLabel('Server URL').fill(daemonUrl)
  await panel.getByLabel('Token').fill('not-the-token')
  await panel.locator('.jp-InfinStor-setupTest').click()
  const result = panel.locator('.jp-InfinStor-setupResult')
  await panel.locator('.jp-InfinStor-setupResult[data-state="problem"]').waitFor()
  t.match(await result.textContent(), /refused the token/)
  t.ok(await panel.locator('.jp-InfinStor-setupSave').isDisabled())
  await panel.getByLabel('Token').fill(daemonToken)
  await panel.locator('.jp-InfinStor-setupTest').click()
  await panel.locator('.jp-InfinStor-setupResult[data-state="ok"]').waitFor()
  t.match(await result.textContent(), 'Connected: InfinStor 0.1.0')
  await panel.locator('.jp-InfinStor-setupSave').click()
  await panel.locator('.jp-InfinStor-banner[data-state="ok"]').waitFor()
  t.same(await L.listingFor([BUCKET]), [BUCKET])
  const saved = await readFile(join(lab.settingsDir, '@infinstor', 'jupyterlab', 'plugin.jupyterlab-settings'), 'utf8')
  t.match(saved, daemonUrl, 'kept in the settings')
  await panel.locator('select.jp-InfinStor-bucket').selectOption(BUCKET)
  await L.viewIs('latest')
  const now = childrenOf(snapshot(h, h.at.length - 1))
  t.same(await L.listingFor(now), now)
})

t.test('a wrong token and a stopped daemon each show what to do', async t => {
  // Through the Settings Editor, as a user would: the panel follows the change at once.
  const token = async (value: string): Promise<void> => {
    await L.app('a => a.commands.execute("settingeditor:open", { query: "InfinStor" })')
    const input = page.locator(`[id="jp-SettingsEditor-${PLUGIN}_token"]`)
    await input.fill(value)
    await input.press('Tab')
  }
  const problem = panel.locator('.jp-InfinStor-banner[data-state="problem"]')
  await L.showPanel()
  await token('not-the-token')
  await problem.waitFor()
  t.match(await problem.textContent(), /refused the token/)
  t.match(await problem.textContent(), /cat ~\/.config\/infinstor\/token/)
  await L.shot('wrong-token')
  await token(daemonToken)
  await panel.locator('.jp-InfinStor-banner[data-state="ok"]').waitFor()

  await stopDaemon()
  await L.clickButton('infinstor:refresh')
  await problem.waitFor()
  t.match(await problem.textContent(), /cannot be reached/)
  t.match(await problem.textContent(), `infinstor serve --allow-origin ${lab.origin}`)
  t.ok(await panel.locator('.jp-FileBrowser').isHidden(), 'no stale listing while the daemon is away')
  await L.shot('daemon-down', true)
  await startDaemon()
  await problem.locator('button', { hasText: 'Retry' }).click()
  await panel.locator('.jp-InfinStor-banner[data-state="ok"]').waitFor()
  t.ok(await panel.locator('.jp-FileBrowser').isVisible(), 'the browser is back')
})

t.test('no errors in the page', async t => {
  t.same(pageErrors, [])
})
