// The real JupyterLab Drive (@jupyterlab/services) against our contents API,
// on random histories in real S3 (moto), at times, slices and labels, compared with the oracle.
import { Drive, ServerConnection, type Contents } from '@jupyterlab/services'
import t, { type Test } from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import type { Services } from '../../src/daemon/services.js'
import { placeKeys } from '../../src/core/placement.js'
import { serveContents, TOKEN } from '../helpers/contents-server.js'
import { buildHistory, sha, slice, snapshot, type History, type State } from '../helpers/history.js'
import { s3env } from '../helpers/s3env.js'

interface Seen { dirs: string[], files: Map<string, { size: number, sha: string, type: string }> }

/** Walks a view through the Drive: every directory listed, every file fetched as base64. */
async function walk (drive: Drive, root: string): Promise<Seen> {
  const seen: Seen = { dirs: [], files: new Map() }
  const visit = async (path: string, rel: string): Promise<void> => {
    const dir = await drive.get(path, { content: true })
    if (dir.type !== 'directory') throw new Error(`${path} is not a directory`)
    if (dir.writable) throw new Error(`${path} is writable`)
    seen.dirs.push(rel)
    for (const child of dir.content as Contents.IModel[]) {
      const childRel = rel === '' ? child.name : `${rel}/${child.name}`
      if (child.path !== `${path}/${child.name}`) throw new Error(`child path ${child.path} under ${path}`)
      if (child.type === 'directory') {
        await visit(child.path, childRel)
        continue
      }
      const full = await drive.get(child.path, { content: true, type: 'file', format: 'base64' })
      const bytes = Buffer.from(full.content as string, 'base64')
      if (bytes.length !== full.size || full.size !== child.size) throw new Error(`size of ${child.path}`)
      seen.files.set(childRel, { size: bytes.length, sha: sha(bytes), type: child.type })
    }
  }
  await visit(root, '')
  return seen
}

/** The oracle's tree of a state, named with the mount's rules (core/names.ts). */
function expected (state: State): Seen {
  const placed = placeKeys([...state].map(([rel, body]) => ({ rel, body })))
  const files = new Map(placed.files.map(f => [f.path.join('/'),
    { size: f.item.body.length, sha: sha(f.item.body), type: f.path.at(-1)?.endsWith('.ipynb') === true ? 'notebook' : 'file' }]))
  return { dirs: ['', ...placed.dirs.map(d => d.join('/'))], files }
}

function compare (t: Test, got: Seen, want: Seen, what: string): void {
  t.same([...got.dirs].sort(), [...want.dirs].sort(), `${what}: directories`)
  t.same(Object.fromEntries([...got.files].sort()), Object.fromEntries([...want.files].sort()), `${what}: files, sizes and bytes`)
}

/** The keys under `dir/` with that prefix taken off: what a label rooted there shows. */
function under (state: State, dir: string): State {
  return new Map([...state].filter(([k]) => k.startsWith(dir + '/')).map(([k, v]) => [k.slice(dir.length + 1), v]))
}

async function checkLabels (t: Test, drive: Drive, { engine, labels }: Services, h: History): Promise<void> {
  await labels.create(engine, `${h.bucket}-snap`, `s3://${h.bucket}@${formatInstant(h.at[1])}`)
  compare(t, await walk(drive, `${h.bucket}/@${h.bucket}-snap`), expected(snapshot(h, 1)), 'label of a snapshot')
  await labels.create(engine, `${h.bucket}-slice`, `s3://${h.bucket}@${formatInstant(h.at[0])}..${formatInstant(h.at[2])}`)
  compare(t, await walk(drive, `${h.bucket}/@${h.bucket}-slice`), expected(slice(h, 0, 2)), 'label of a slice')
  const dir = ['dir', 'other'].find(d => under(snapshot(h, 2), d).size > 0)
  if (dir !== undefined) {
    await labels.create(engine, `${h.bucket}-${dir}`, `s3://${h.bucket}/${dir}@${formatInstant(h.at[2])}`)
    compare(t, await walk(drive, `${h.bucket}/@${h.bucket}-${dir}`), expected(under(snapshot(h, 2), dir)), `label of ${dir}/`)
  }
  const listed = ((await drive.get(h.bucket)).content as Contents.IModel[]).map(m => m.name)
  t.same(listed, ['@latest', ...[`@${h.bucket}-slice`, `@${h.bucket}-snap`, ...(dir === undefined ? [] : [`@${h.bucket}-${dir}`])].sort()],
    'the bucket lists @latest and its labels')
}

async function check (t: Test, drive: Drive, h: History): Promise<void> {
  const steps = h.at.length
  for (const i of [0, 2, steps - 2]) {
    compare(t, await walk(drive, `${h.bucket}/@${formatInstant(h.at[i])}`), expected(snapshot(h, i)), `snapshot ${i}`)
  }
  compare(t, await walk(drive, `${h.bucket}/@latest`), expected(snapshot(h, steps - 1)), 'latest')
  for (const [i, j] of [[0, steps - 1], [1, 3]]) {
    const spec = `${formatInstant(h.at[i])}..${formatInstant(h.at[j])}`
    compare(t, await walk(drive, `${h.bucket}/@${spec}`), expected(slice(h, i, j)), `slice ${i}..${j}`)
  }
  const someFile = [...expected(snapshot(h, steps - 1)).files.keys()][0]
  t.same(await drive.listCheckpoints(`${h.bucket}/@latest/${someFile}`), [], 'a file has no checkpoints')
  t.same(await drive.listCheckpoints(`${h.bucket}/@latest`), [], 'nor has a directory')
}

t.test('the JupyterLab Drive sees exactly the oracle at several times and slices', async t => {
  const env = await s3env(t)
  const histories = await Promise.all([41, 42].map(async seed =>
    await buildHistory(env.raw, `drive-${seed}`, { seed, steps: 6, nullSteps: 1 })))
  const served = await serveContents(t, env)
  const serverSettings = ServerConnection.makeSettings({ baseUrl: served.url + '/', token: TOKEN })
  const drive = new Drive({ name: 'InfinStor', serverSettings })
  const root = await drive.get('')
  t.same((root.content as Contents.IModel[]).map(m => m.name).sort(), histories.map(h => h.bucket).sort(), 'root lists the buckets')
  for (const h of histories) {
    await t.test(h.bucket, async t => {
      await check(t, drive, h)
      await checkLabels(t, drive, served.services, h)
    })
  }

  await t.test('the Drive reports refusals and missing paths as errors', async t => {
    const h = histories[0]
    await t.rejects(drive.save(`${h.bucket}/@latest/new.txt`, { type: 'file', format: 'text', content: 'x' }), /read-only/)
    await t.rejects(drive.delete(`${h.bucket}/@latest/plain.txt`), /read-only/)
    await t.rejects(drive.newUntitled({ path: `${h.bucket}/@latest`, type: 'file' }), /read-only/)
    await t.rejects(drive.get(`${h.bucket}/@latest/no/such/file`), /does not exist/)
    const url = await drive.getDownloadUrl(`${h.bucket}/@latest/x y.txt`)
    t.equal(url, `${served.url}/files/${h.bucket}/%40latest/x%20y.txt`, 'download URLs point at /files')
  })
})
