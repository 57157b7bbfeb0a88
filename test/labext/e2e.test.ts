// The InfinStor drive end to end, as a data scientist meets it: real JupyterLab 4 at base_url /user/alice/
// (as on JupyterHub) with infinstor-jupyter pip-installed (scripts/setup.sh puts it in the test venv) and
// no InfinStor settings at all: the server extension runs the daemon over a random history in moto.
// Debian's chromium drives it; listings, files and versions are compared with the history and with S3
// itself. Each drive defect of issue #13 has a step here that failed before its fix.
import { CreateBucketCommand, GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { launch } from '../helpers/browser.js'
import { slice, snapshot } from '../helpers/history.js'
import { prepareLab, writeLabSettings } from '../helpers/jupyterlab.js'
import { s3env } from '../helpers/s3env.js'
import { buildTextHistory, childrenOf } from '../helpers/texthistory.js'
import { REPO } from '../jupyter/oracle.js'
import { LabPage, local, localText, second, ZONE } from './e2e.js'
import { tempDir } from '../helpers/temp.js'

// A real JupyterLab and chromium on a shared, loaded machine: the whole file may take many minutes.
t.setTimeout(1_800_000)
const BUCKET = 'lab-e2e'
const OTHER = 'other-bucket'
const seed = Number(process.env.INFINSTOR_SEED ?? Date.now() % 100_000)
t.comment(`seed ${seed} (INFINSTOR_SEED=${seed} replays this history)`)

const s3 = await s3env(t)
const h = await buildTextHistory(s3.raw, BUCKET, seed)
await s3.raw.send(new CreateBucketCommand({ Bucket: OTHER }))
await s3.raw.send(new PutObjectCommand({ Bucket: OTHER, Key: 'readme.txt', Body: 'never versioned\n' }))
// Past the server's settle margin, so every step is settled history.
await new Promise(resolve => setTimeout(resolve, 2500))

/** S3's own account of train.csv: every version and delete marker, newest first. */
const listed = await s3.raw.send(new ListObjectVersionsCommand({ Bucket: BUCKET }))
const trainLog = [
  ...(listed.Versions ?? []).map(v => ({ id: v.VersionId as string, key: v.Key, t: v.LastModified?.getTime() ?? 0, deleted: false })),
  ...(listed.DeleteMarkers ?? []).map(v => ({ id: v.VersionId as string, key: v.Key, t: v.LastModified?.getTime() ?? 0, deleted: true }))
].filter(v => v.key === 'train.csv').sort((a, b) => b.t - a.t)
const horizon = Math.min(...(listed.Versions ?? []).map(v => v.LastModified?.getTime() ?? Infinity))

// --- JupyterLab, with nothing set up for InfinStor but S3 access in its environment ----------------
const home = tempDir(t, 'e2e')
const lab = await prepareLab(t, {
  baseUrl: '/user/alice/',
  env: { ...s3.env, INFINSTOR_HOME: REPO, XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state'), INFINSTOR_CONFIG: join(home, 'none.json') }
})
// No news prompt covering the screenshots (and no call to the internet for it).
await writeLabSettings(lab, '@jupyterlab/apputils-extension:notification', { fetchNews: 'false', checkForUpdates: false })
await writeFile(join(lab.root, 'scratch.ipynb'), JSON.stringify({
  cells: [{ cell_type: 'code', source: '# snippets land below', metadata: {}, outputs: [], execution_count: null }],
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  nbformat: 4,
  nbformat_minor: 5
}))
await lab.start()
t.teardown(() => { if (t.passing() === false) t.comment(`JupyterLab log:\n${lab.log()}`) })

const browser = await launch(t)
const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, timezoneId: ZONE })
await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: lab.origin })
const page = await context.newPage()
page.setDefaultTimeout(90_000)
const pageErrors: string[] = []
/** The step running, to say where a page error happened. */
let step = 'start'
t.beforeEach(async t => {
  step = t.name
  // A dialog a failed step left open would block every later step: each step starts without one.
  for (const cancel of await page.locator('.jp-Dialog button.jp-mod-reject').all()) await cancel.click().catch(() => {})
})
page.on('pageerror', e => pageErrors.push(`${step}: ${e.message}\n${(e.stack ?? '').split('\n').slice(0, 6).join('\n')}`))
const elsewhere: string[] = []
page.on('request', r => { if (/^https?:/.test(r.url()) && !r.url().startsWith(lab.url)) elsewhere.push(r.url()) })

const L = new LabPage(page)
const { panel, items, indicator } = L
const spec = (i: number): string => formatInstant(second(h.at[i]))
const [i, j] = [0, 3]
const rootFiles = async (): Promise<string[]> => (await readdir(lab.root)).filter(n => !n.startsWith('.')).sort()

await page.goto(`${lab.url}lab?token=${lab.token}`)
await page.locator('li.lm-TabBar-tab[data-id="infinstor-panel"]').click()
// A wider sidebar, as a user would drag it, so the screenshots show whole names and times.
const handle = page.locator('#jp-main-split-panel > .lm-SplitPanel-handle').first()
const box = await handle.boundingBox()
if (box !== null) {
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.down()
  await page.mouse.move(box.x + 150, box.y + box.height / 2, { steps: 5 })
  await page.mouse.up()
}

t.test('with no settings at all, the panel browses: the server extension runs the daemon', async t => {
  t.same(await L.listingFor([BUCKET, OTHER]), [BUCKET, OTHER])
  const status = panel.locator('.jp-InfinStor-status')
  t.match(await status.textContent(), `InfinStor 0.1.0 · S3 ${s3.endpoint}`)
  t.match(await status.textContent(), /No mount: code cannot read plain paths yet/)
  t.equal(await panel.locator('.jp-InfinStor-setup').count(), 0, 'no setup form')
  t.equal(await panel.locator('.jp-InfinStor-banner[data-state="problem"]').count(), 0, 'no error')
  t.match(await indicator.textContent(), /choose a bucket/)
  await L.shot('no-setup', true)
})

t.test('choosing a bucket shows it as of now, with a size column', async t => {
  await panel.locator('select.jp-InfinStor-bucket').selectOption(BUCKET)
  await L.viewIs('latest')
  const now = snapshot(h, h.at.length - 1)
  t.same(await L.listingFor(childrenOf(now)), childrenOf(now))
  const row = panel.locator('.jp-DirListing-item', { has: page.locator('.jp-DirListing-itemText', { hasText: /^train\.csv$/ }) })
  t.equal((await row.locator('.jp-DirListing-itemFileSize').textContent())?.trim(), `${now.get('train.csv')?.length ?? -1} B`)
})

t.test('two past times show different contents, each equal to the oracle; times in UTC and local, within the bounds', async t => {
  const atI = childrenOf(snapshot(h, i))
  const atJ = childrenOf(snapshot(h, j))
  t.not(JSON.stringify(atI), JSON.stringify(atJ), 'the oracle differs between the two times')
  await panel.locator('button[data-mode="at"]').click()
  // The click opens a snapshot at once (a minute ago, or the view's time); a refusal shows in the panel's alert.
  const pressed = panel.locator('button[data-mode="at"][aria-pressed="true"]')
  const refused = panel.locator('.jp-InfinStor-error:not(:empty)')
  await pressed.or(refused).first().waitFor()
  if (await refused.count() > 0) t.comment(`Snapshot's first view was refused: ${await refused.first().textContent()}`)
  await L.snapshotAt(h.at[j])
  await L.viewIs(spec(j))
  t.same(await L.listingFor(atJ), atJ, `root at step ${j}`)
  await L.snapshotAt(h.at[i])
  await L.viewIs(spec(i))
  t.same(await L.listingFor(atI), atI, `root at step ${i}`)
  t.equal(await indicator.textContent(), '@' + spec(i), 'the indicator shows the canonical UTC spec')
  t.equal(await panel.locator('.jp-InfinStor-localTime').textContent(), `your time: ${localText(second(h.at[i]))}`, 'and the time in the browser\'s zone')
  t.equal(await panel.locator('.jp-InfinStor-atRow .jp-InfinStor-utc').textContent(), `= ${spec(i)}`, 'the picker says its time in UTC')
  t.equal(await panel.locator('.jp-InfinStor-bounds').getAttribute('data-horizon'), formatInstant(horizon), 'history begins at S3\'s first versioned write')
  t.equal(await panel.getByLabel('Snapshot time').getAttribute('min'), local(horizon), 'the picker starts there')
  await L.shot('snapshot')
})

t.test('a file overwritten later opens with its old content: read-only, and the tab names the view', async t => {
  await items.filter({ hasText: /^train\.csv$/ }).dblclick()
  t.equal(await L.currentText(), snapshot(h, i).get('train.csv')?.toString(), 'train.csv as it was at step 0')
  t.not(snapshot(h, i).get('train.csv')?.toString(), snapshot(h, h.at.length - 1).get('train.csv')?.toString(), 'and it was overwritten since')
  t.equal(await L.app('a => a.shell.currentWidget.title.label'), `train.csv @${spec(i)}`)
  t.equal(await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current .lm-TabBar-tabLabel').textContent(), `train.csv @${spec(i)}`)
  const hint = page.locator('.jp-Document:visible .jp-InfinStor-readonlyHint')
  t.match(await hint.textContent(), `InfinStor view ${BUCKET} @${spec(i)}`)
  await L.shot('readonly-file', true)
  const refused = await L.app<string>(`async (a, p) => {
    try { await a.serviceManager.contents.save(p, { type: 'file', format: 'text', content: 'x' }); return 'saved' }
    catch (e) { return (e.response ? e.response.status + ' ' : '') + e.message }
  }`, `InfinStor:${BUCKET}/@${spec(i)}/train.csv`)
  t.match(refused, /^403 .*read-only/, 'a write through the drive is refused by the server')
  await page.locator('.jp-Document:visible').click()
  await page.keyboard.press('Control+s')
  await page.getByText(/is (permissioned as )?read-?only/).first().waitFor()
  t.pass('Ctrl+S is refused in the UI, with the way out')
})

t.test('an editor of an InfinStor file takes no typing and never turns modified', async t => {
  await items.filter({ hasText: /^notes\.txt$/ }).dblclick()
  const before = await L.currentText()
  t.equal(before, snapshot(h, i).get('notes.txt')?.toString())
  await page.locator('.jp-FileEditor:visible .cm-content').click()
  await page.keyboard.type('XYZ')
  await page.keyboard.press('Enter')
  await page.waitForTimeout(500)
  t.equal(await L.currentText(), before, 'the text is unchanged')
  t.equal(await L.app('a => a.shell.currentWidget.context.model.dirty'), false, 'and not marked modified')
  await L.app('a => a.shell.currentWidget.close()')
})

t.test('Save As keeps a copy in the user\'s own files, and opens it', async t => {
  const path = `InfinStor:${BUCKET}/@${spec(i)}/train.csv`
  const saveAs = async (typed: string): Promise<void> => {
    await L.app('(a, p) => { void a.commands.execute("docmanager:open", { path: p }) }', path)
    await page.waitForFunction(`window.jupyterapp.shell.currentWidget?.context?.path === ${JSON.stringify(path)}`)
    await L.app('a => { void a.commands.execute("docmanager:save-as") }')
    const input = page.locator('.jp-Dialog').getByLabel('Path of the copy')
    if (typed === '') return
    await input.fill(typed)
    await page.locator('.jp-Dialog button', { hasText: 'Save Copy' }).click()
  }
  await saveAs('')
  t.equal(await page.locator('.jp-Dialog').getByLabel('Path of the copy').inputValue(), 'train.csv', 'the default is in the user\'s folder')
  await page.locator('.jp-Dialog button', { hasText: 'Cancel' }).click()
  const old = snapshot(h, i).get('train.csv')?.toString()
  for (const [typed, saved] of [['train_copy.csv', 'train_copy.csv'], ['/train_copy2.csv', 'train_copy2.csv']]) {
    await saveAs(typed)
    await page.waitForFunction(`window.jupyterapp.shell.currentWidget?.context?.path === ${JSON.stringify(saved)}`)
    t.equal(await readFile(join(lab.root, saved), 'utf8'), old, `${typed}: the version's content, in the user's folder`)
    await page.waitForFunction('window.jupyterapp.shell.currentWidget.context.contentsModel?.writable === true')
    t.pass(`${saved} is open, and editable`)
  }
  await saveAs(`InfinStor:${BUCKET}/copy.csv`)
  t.match(await page.locator('.jp-InfinStor-saveCopyError').textContent(), /read-only: give a path in your own files/)
  await page.locator('.jp-Dialog').getByLabel('Path of the copy').fill('train_copy.csv')
  await page.locator('.jp-Dialog button', { hasText: 'Save Copy' }).click()
  t.match(await page.locator('.jp-InfinStor-saveCopyError').textContent(), /train_copy.csv exists already/)
  await page.locator('.jp-Dialog button', { hasText: 'Cancel' }).click()
})

t.test('the InfinStor browser offers reading actions only, by menu and by key', async t => {
  await L.showPanel()
  const filesBefore = await rootFiles()
  await items.filter({ hasText: /^train\.csv$/ }).click({ button: 'right' })
  const labels = (await page.locator('.lm-Menu:visible .lm-Menu-itemLabel').allTextContents()).map(s => s.trim())
  for (const wanted of ['Open', 'Show Versions…', 'Compare with Previous Version', 'Copy Path for Code', 'Insert Snippet into Notebook', 'Download']) {
    t.ok(labels.includes(wanted), `the menu offers ${wanted}`)
  }
  for (const unwanted of ['Rename', 'Delete', 'Cut', 'Copy', 'Paste', 'Duplicate', 'New Folder', 'New File']) {
    t.notOk(labels.includes(unwanted), `the menu has no ${unwanted}`)
  }
  await page.keyboard.press('Escape')
  await items.filter({ hasText: /^train\.csv$/ }).click()
  for (const key of ['Delete', 'F2', 'Control+x', 'Control+v', 'Control+d']) await page.keyboard.press(key)
  await page.waitForTimeout(1000)
  t.equal(await page.locator('.jp-Dialog').count(), 0, 'Delete, F2 and the clipboard keys do nothing here')
  t.same(await rootFiles(), filesBefore, 'and the user\'s own files are untouched')
})

t.test('after using the panel, new notebooks go to the user\'s own folder', async t => {
  await items.filter({ hasText: /^train\.csv$/ }).click()
  await L.app('a => { void a.commands.execute("notebook:create-new", { kernelName: "python3" }) }')
  await page.waitForFunction('/^Untitled.*\\.ipynb$/.test(window.jupyterapp.shell.currentWidget?.context?.path ?? "")')
  const created = await L.app<string>('a => a.shell.currentWidget.context.path')
  t.ok((await rootFiles()).includes(created), `${created} is in JupyterLab's root folder`)
  // New notebooks start modified (their kernel is recorded): closed unsaved.
  await L.closeDocuments('current')
  await L.showPanel()
  await items.filter({ hasText: /^train\.csv$/ }).click()
  await L.app('a => { void a.commands.execute("launcher:create") }')
  await page.locator('.jp-Launcher:visible .jp-LauncherCard[data-category="Notebook"]').first().click()
  await page.waitForFunction(`/^Untitled.*\\.ipynb$/.test(window.jupyterapp.shell.currentWidget?.context?.path ?? "") && window.jupyterapp.shell.currentWidget.context.path !== ${JSON.stringify(created)}`)
  t.equal((await rootFiles()).filter(n => /^Untitled.*\.ipynb$/.test(n)).length, 2, 'Launcher → Notebook too')
  await L.closeDocuments('current')
})

t.test('a slice shows what was written in the window; Snapshot then shows the slice\'s end', async t => {
  await L.showPanel()
  const [a, b] = [1, h.at.length - 1]
  const expected = childrenOf(slice(h, a, b))
  await panel.locator('button[data-mode="slice"]').click()
  // The click opens a slice at once (the hour before the view's time); then the user picks the ends.
  await panel.locator('button[data-mode="slice"][aria-pressed="true"]').waitFor()
  await panel.getByLabel('Slice start').fill(local(h.at[a]))
  await panel.getByLabel('Slice end').fill(local(h.at[b]))
  await panel.locator('button.jp-InfinStor-openSlice').click()
  await L.viewIs(`${spec(a)}..${spec(b)}`)
  t.same(await L.listingFor(expected), expected, `slice ${a}..${b}`)
  t.equal(await indicator.textContent(), `@${spec(a)}..${spec(b)}`)
  await L.shot('slice')

  await panel.locator('button[data-mode="at"]').click()
  await L.viewIs(spec(b))
  const atB = childrenOf(snapshot(h, b))
  t.same(await L.listingFor(atB), atB, 'the listing is the snapshot')
  t.equal(await panel.locator('button[data-mode="at"]').getAttribute('aria-pressed'), 'true', 'Snapshot is highlighted')
  t.equal(await panel.locator('button[data-mode="slice"]').getAttribute('aria-pressed'), 'false')
  await L.clickButton('infinstor:create-label')
  t.match(await page.locator('.jp-Dialog .jp-InfinStor-labelForm').textContent(), `${BUCKET}/ at @${spec(b)}`, 'the label dialog names the snapshot')
  await page.locator('.jp-Dialog button', { hasText: 'Cancel' }).click()
})

t.test('Copy Path gives the plain mount path', async t => {
  await items.filter({ hasText: /^train\.csv$/ }).click()
  await L.clickButton('infinstor:copy-path')
  await page.waitForFunction('navigator.clipboard.readText().then(t => t.startsWith("/infinstor/"))')
  t.equal(await page.evaluate('navigator.clipboard.readText()'), `/infinstor/${BUCKET}/@${await indicator.getAttribute('data-spec') ?? ''}/train.csv`)
})

t.test('Insert Snippet adds a cell that reads the file through the kernel helper, naming the view', async t => {
  const viewSpec = await indicator.getAttribute('data-spec') ?? ''
  await L.app('a => { void a.commands.execute("docmanager:open", { path: "scratch.ipynb" }) }')
  await page.waitForFunction('window.jupyterapp.shell.currentWidget?.content?.model?.sharedModel?.cells?.length === 1')
  await L.showPanel()
  await items.filter({ hasText: /^train\.csv$/ }).click()
  await L.clickButton('infinstor:insert-snippet')
  const cells = await L.app<string[]>('a => a.shell.currentWidget.content.model.sharedModel.cells.map(c => c.getSource())')
  t.equal(cells.length, 2)
  t.equal(cells[1], `import infinstor\nimport pandas as pd\n\ndf = pd.read_csv(infinstor.path("${BUCKET}/train.csv", at="${viewSpec}"))\ndf.head()`)
  await L.shot('snippet', true)
})

t.test('a label: a bad name is refused in the dialog, a good one is created and opens', async t => {
  await L.showPanel()
  await panel.locator('button[data-mode="at"]').click()
  await L.snapshotAt(h.at[i])
  await L.viewIs(spec(i))
  const expected = childrenOf(snapshot(h, i))
  t.same(await L.listingFor(expected), expected)
  await L.clickButton('infinstor:create-label')
  const dialog = page.locator('.jp-Dialog')
  await dialog.getByLabel('Label name').fill('bad name!')
  await dialog.locator('button', { hasText: 'Create label' }).click()
  const error = page.locator('.jp-Dialog .jp-InfinStor-labelError')
  await error.waitFor()
  t.match(await error.textContent(), /name/i, 'the server\'s reason is shown')
  t.equal(await page.locator('.jp-Dialog').getByLabel('Label name').inputValue(), 'bad name!', 'what was typed is kept')
  await L.shot('label-error', true)
  await page.locator('.jp-Dialog').getByLabel('Label name').fill('e2e-first')
  await page.locator('.jp-Dialog').getByLabel('Label description').fill('step 0 of the e2e history')
  await page.locator('.jp-Dialog button', { hasText: 'Create label' }).click()
  await page.locator('.jp-Dialog').waitFor({ state: 'detached' })
  await panel.locator('button[data-mode="label"]').click()
  await panel.locator('select.jp-InfinStor-labels option[value="e2e-first"]').waitFor({ state: 'attached' })
  await panel.locator('select.jp-InfinStor-labels').selectOption('e2e-first')
  await L.viewIs('e2e-first')
  t.same(await L.listingFor(expected), expected, 'the label shows the view it was made from')
  t.match(await indicator.textContent(), `@e2e-first = ${BUCKET}/@${spec(i)}`)
})

t.test('a file\'s versions, as S3 lists them; two versions side by side in tabs named by their times', async t => {
  // A clear main area for the pictures: what earlier steps opened goes (the snippet's notebook unsaved).
  await L.closeDocuments()
  await panel.locator('button[data-mode="latest"]').click()
  await L.viewIs('latest')
  await items.filter({ hasText: /^train\.csv$/ }).click({ button: 'right' })
  await page.locator('.lm-Menu:visible .lm-Menu-itemLabel', { hasText: 'Show Versions…' }).click()
  const rows = page.locator('.jp-InfinStor-versionDialog .jp-InfinStor-version')
  await rows.first().waitFor()
  t.same(await rows.evaluateAll(rs => rs.map(r => (r as HTMLElement).dataset.versionId)), trainLog.map(v => v.id), 'every version and delete marker, newest first')
  t.same(await rows.evaluateAll(rs => rs.map(r => (r as HTMLElement).dataset.time)), trainLog.map(v => formatInstant(v.t)))
  const live = trainLog.find(v => !v.deleted)
  t.equal(await page.locator('.jp-InfinStor-version.jp-mod-current').getAttribute('data-version-id'), trainLog[0].deleted ? null : live?.id, 'the version on view is marked')
  await L.shot('versions', true)

  const newest = trainLog.findIndex(v => !v.deleted)
  const previous = trainLog.slice(newest + 1).find(v => !v.deleted)
  if (previous === undefined) throw new Error('train.csv is overwritten at step 2: it has an earlier version')
  await rows.nth(newest).locator('button', { hasText: 'Compare with previous' }).click()
  const titles = [`train.csv @${formatInstant(trainLog[newest].t)}`, `train.csv @${formatInstant(previous.t)}`]
  await page.waitForFunction(`${JSON.stringify(titles)}.every(t => [...window.jupyterapp.shell.widgets("main")].some(w => w.title.label === t && w.isVisible && w.context?.isReady))`)
  for (const [k, v] of [[0, trainLog[newest]], [1, previous]] as const) {
    const text = await L.app<string>('(a, t) => [...a.shell.widgets("main")].find(w => w.title.label === t).context.model.toString()', titles[k])
    const body = await (await s3.raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'train.csv', VersionId: v.id }))).Body?.transformToString()
    t.equal(text, body, `${titles[k]} holds that version's bytes`)
  }
  await L.shot('side-by-side', true)
})

t.test('Compare with Previous Version opens the version before the view\'s beside it, or says there is none', async t => {
  await L.closeDocuments()
  await L.showPanel()
  await L.viewIs('latest')
  // train.csv is written at steps 0 and 2 only: at latest the view shows step 2's version, the previous is step 0's.
  const [shown, previous] = trainLog
  await items.filter({ hasText: /^train\.csv$/ }).click({ button: 'right' })
  await page.locator('.lm-Menu:visible .lm-Menu-itemLabel', { hasText: 'Compare with Previous Version' }).click()
  const titles = ['train.csv @latest', `train.csv @${formatInstant(previous.t)}`]
  await page.waitForFunction(`${JSON.stringify(titles)}.every(t => [...window.jupyterapp.shell.widgets("main")].some(w => w.title.label === t && w.isVisible && w.context?.isReady))`)
  for (const [k, v] of [[0, shown], [1, previous]] as const) {
    const text = await L.app<string>('(a, t) => [...a.shell.widgets("main")].find(w => w.title.label === t).context.model.toString()', titles[k])
    const body = await (await s3.raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'train.csv', VersionId: v.id }))).Body?.transformToString()
    t.equal(text, body, `${titles[k]} holds that version's bytes`)
  }
  const lefts = await L.app<number[]>('(a, ts) => ts.map(t => [...a.shell.widgets("main")].find(w => w.title.label === t).node.getBoundingClientRect().left)', titles)
  t.ok(lefts[1] < lefts[0], 'the previous version is on the left, beside the view\'s')
  // later.csv is written once, at step 3.
  await L.showPanel()
  await items.filter({ hasText: /^later\.csv$/ }).click({ button: 'right' })
  await page.locator('.lm-Menu:visible .lm-Menu-itemLabel', { hasText: 'Compare with Previous Version' }).click()
  await page.getByText('later.csv has no earlier version to compare with.').waitFor()
  t.pass('a file with one version says it has no earlier one')
})

t.test('Snapshot of a bucket without versioning shows the server\'s refusal, where the user is', async t => {
  await L.showPanel()
  await panel.locator('select.jp-InfinStor-bucket').selectOption(OTHER)
  await L.viewIs('latest')
  t.same(await L.listingFor(['readme.txt']), ['readme.txt'])
  await panel.locator('button[data-mode="at"]').click()
  await panel.locator('.jp-InfinStor-error:not(:empty)').waitFor()
  t.match(await panel.locator('.jp-InfinStor-error').textContent(), /versioning/)
  t.equal(await indicator.getAttribute('data-spec'), 'latest', 'the view stays on latest')
  t.equal(await panel.locator('button[data-mode="at"]').getAttribute('aria-pressed'), 'false', 'and says so')
  t.match(await panel.locator('.jp-InfinStor-bounds').textContent(), /No versioning/)
})

t.test('a time before the bucket\'s history begins says where it begins', async t => {
  await panel.locator('select.jp-InfinStor-bucket').selectOption(BUCKET)
  const now = childrenOf(snapshot(h, h.at.length - 1))
  t.same(await L.listingFor(now), now, 'back to the versioned bucket')
  await panel.locator('button[data-mode="at"]').click()
  await panel.locator('button[data-mode="at"][aria-pressed="true"]').waitFor()
  await L.snapshotAt(h.at[0] - 3600_000)
  const error = panel.locator('.jp-InfinStor-error', { hasText: 'history begins' })
  await error.waitFor()
  t.match(await error.textContent(), `${formatInstant(second(h.at[0] - 3600_000))} is before ${BUCKET}'s history begins (${formatInstant(horizon)}, your time ${localText(horizon)})`)
  t.not(await indicator.getAttribute('data-spec'), formatInstant(second(h.at[0] - 3600_000)), 'no view that cannot be shown')
})

t.test('if the daemon dies, the extension starts another', async t => {
  const health = async (): Promise<{ daemon: { pid: number } }> =>
    await page.evaluate(async url => await (await fetch(url)).json(), `${lab.url}infinstor/health`) as { daemon: { pid: number } }
  const before = (await health()).daemon.pid
  process.kill(before, 'SIGKILL')
  await L.clickButton('infinstor:refresh')
  // The refresh asks the extension's health, which finds the daemon gone and starts another.
  await page.waitForFunction(async ([url, pid]) => (await (await fetch(url as string)).json()).daemon?.pid !== pid, [`${lab.url}infinstor/health`, before])
  await panel.locator('.jp-InfinStor-banner[data-state="ok"]').waitFor()
  await panel.locator('button[data-mode="latest"]').click()
  await L.viewIs('latest')
  const now = childrenOf(snapshot(h, h.at.length - 1))
  t.same(await L.listingFor(now), now)
  t.not((await health()).daemon.pid, before, 'served by a new daemon')
})

t.test('no errors in the page, and every request stayed on JupyterLab\'s origin, under its base URL', async t => {
  t.same(pageErrors, [])
  t.same(elsewhere, [])
})
