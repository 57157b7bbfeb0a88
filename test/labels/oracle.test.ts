// Labels resolve to exactly the oracle's view, through the CLI (ls, cat, stat, diff, cp).
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { buildHistory, diff, sha, slice, snapshot, type State } from '../helpers/history.js'
import { BIN, s3env } from '../helpers/s3env.js'

interface Row { name: string, type: string, key: string, size: number, etag: string }

const md5 = (b: Uint8Array): string => `"${createHash('md5').update(b).digest('hex')}"`

/** What `ls -R` shows of an oracle state under a root: files only, relative names. */
function expected (state: State, root: string): Record<string, { key: string, size: number, etag: string }> {
  const out: Record<string, { key: string, size: number, etag: string }> = {}
  for (const [key, body] of state) {
    if (!key.startsWith(root) || key === root || key.endsWith('/')) continue
    out[key.slice(root.length)] = { key, size: body.length, etag: md5(body) }
  }
  return out
}

async function filesUnder (dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[relative(dir, join(e.parentPath, e.name))] = sha(await readFile(join(e.parentPath, e.name)))
  }
  return out
}

t.test('labels equal the oracle on a random history', async t => {
  const env = await s3env(t)
  const xdg = await mkdtemp(join(tmpdir(), 'infinstor-labels-oracle-'))
  t.teardown(async () => { await rm(xdg, { recursive: true, force: true }) })
  const cli = async (...args: string[]): ReturnType<typeof env.cli> =>
    await env.cli(args, { XDG_CONFIG_HOME: xdg, INFINSTOR_SETTLE_MARGIN_MS: '1000' })
  const catBytes = async (path: string): Promise<Buffer> => await new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, 'cat', path], {
      env: { ...env.env, XDG_CONFIG_HOME: xdg }, encoding: 'buffer', maxBuffer: 1 << 26
    }, (err, stdout) => { if (err !== null) reject(err); else resolve(stdout) })
  })
  const h = await buildHistory(env.raw, 'lab-hist', { seed: 41, steps: 6, nullSteps: 1 })
  // Every step must be settled history before it can be labelled.
  await new Promise(resolve => setTimeout(resolve, 2500))
  const last = h.at.length - 1
  const at = (i: number): string => formatInstant(h.at[i])

  // A step where dir/sub/ has files, so the rooted label's sub-path is not empty.
  const dirStep = h.at.findIndex((_, i) => [...snapshot(h, i).keys()].some(k => k.startsWith('dir/sub/')))
  t.ok(dirStep >= 0, `dir/sub/ has files at step ${dirStep}`)
  // name, spec, root, and the oracle's state of that view
  const plans: Array<{ name: string, spec: string, root: string, state: State }> = [
    { name: 'snap-0', spec: at(0), root: '', state: snapshot(h, 0) },
    { name: 'snap-2', spec: at(2), root: '', state: snapshot(h, 2) },
    { name: 'snap-last', spec: at(last), root: '', state: snapshot(h, last) },
    { name: 'dir-n', spec: at(dirStep), root: 'dir/', state: snapshot(h, dirStep) },
    { name: 'ingest-1-4', spec: `${at(1)}..${at(4)}`, root: '', state: slice(h, 1, 4) },
    { name: 'ingest-dir', spec: `${at(0)}..${at(last)}`, root: 'dir/', state: slice(h, 0, last) }
  ]
  const made: typeof plans = []
  for (const p of plans) {
    const path = `s3://${h.bucket}/${p.root}@${p.spec}`
    const r = await cli('label', 'create', p.name, path, '-m', `oracle ${p.name}`)
    if (![...p.state.keys()].some(k => k.startsWith(p.root))) {
      t.equal(r.code, 3, `${p.name}: an empty view cannot be labelled`)
      t.match(r.stderr, /holds nothing at/)
      continue
    }
    t.equal(r.code, 0, `${p.name} created: ${r.stderr}`)
    t.match(r.stdout, `created label ${p.name}: s3://${h.bucket}/${p.root}@`)
    made.push(p)
  }
  t.ok(made.length >= 4, 'most planned labels are non-empty views')

  for (const p of made) {
    await t.test(`@${p.name}`, async t => {
      const r = await cli('ls', '-R', '--json', `s3://${h.bucket}@${p.name}`)
      t.equal(r.code, 0, r.stderr)
      const rows = JSON.parse(r.stdout) as Row[]
      const got = Object.fromEntries(rows.map(row => [row.name, { key: row.key, size: row.size, etag: row.etag }]))
      t.same(got, expected(p.state, p.root), 'ls -R equals the oracle (names, keys, sizes, content hashes)')
      const [first] = Object.keys(expected(p.state, p.root)).sort()
      if (first !== undefined) {
        t.equal(sha(await catBytes(`s3://${h.bucket}/${first}@${p.name}`)), sha(p.state.get(p.root + first) as Buffer), `cat ${first}`)
        const stat = await cli('stat', '--json', `s3://${h.bucket}/${first}@${p.name}`)
        t.match(JSON.parse(stat.stdout), { key: p.root + first, view: p.name, size: (p.state.get(p.root + first) as Buffer).length })
      }
    })
  }

  await t.test('diff between two labels equals the oracle diff', async t => {
    const r = await cli('diff', '--json', `s3://${h.bucket}@snap-0`, '@snap-last')
    t.equal(r.code, 0, r.stderr)
    const changes = JSON.parse(r.stdout) as Array<{ key: string, change: string }>
    const byKind = (k: string): string[] => changes.filter(c => c.change === k).map(c => c.key).sort()
    t.same({ added: byKind('added'), modified: byKind('modified'), deleted: byKind('deleted') }, diff(h, 0, last))
  })

  const dirLabel = made.find(p => p.root === 'dir/' && p.name === 'dir-n')
  if (dirLabel !== undefined) {
    await t.test('a rooted label: sub-paths, and cp restores exactly its files', async t => {
      const want = expected(dirLabel.state, 'dir/sub/')
      t.not(Object.keys(want).length, 0, 'dir/sub/ has files in the label\'s view')
      const r = await cli('ls', '-R', '--json', `s3://${h.bucket}/sub@dir-n`)
      t.equal(r.code, 0, r.stderr)
      t.same(Object.fromEntries((JSON.parse(r.stdout) as Row[]).map(row => [row.name, row.key])),
        Object.fromEntries(Object.entries(want).map(([n, w]) => [n, w.key])), 's3://bucket/sub@LABEL lists LABEL\'s root + sub/')
      const dest = join(xdg, 'restored')
      const cp = await cli('cp', `s3://${h.bucket}@dir-n`, dest)
      t.equal(cp.code, 0, cp.stderr)
      t.same(await filesUnder(dest), Object.fromEntries(Object.entries(expected(dirLabel.state, 'dir/'))
        .map(([n]) => [n, sha(dirLabel.state.get('dir/' + n) as Buffer)])), 'cp wrote the label\'s files, byte for byte')
    })
  }

  await t.test('a label only works on its own bucket', async t => {
    await env.cli(['enable', 'other-bucket'], {})
    const r = await cli('ls', `s3://${h.bucket}-x@snap-2`)
    t.equal(r.code, 3)
    t.match(r.stderr, /does not exist/)
    const { CreateBucketCommand } = await import('@aws-sdk/client-s3')
    await env.raw.send(new CreateBucketCommand({ Bucket: 'elsewhere' }))
    await cli('enable', 'elsewhere')
    const w = await cli('ls', 's3://elsewhere@snap-2')
    t.equal(w.code, 3)
    t.match(w.stderr, /label 'snap-2' belongs to bucket 'lab-hist', not 'elsewhere'/)
  })
})
