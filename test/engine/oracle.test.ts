// The engine against the oracle, on random histories in a real S3 (moto),
// from live listings and through the history index in both of its engines.
import t, { type Test } from 'tap'
import { InfinError } from '../../src/core/errors.js'
import { formatInstant } from '../../src/core/timespec.js'
import type { Engine, View } from '../../src/engine/engine.js'
import { sweep } from '../../src/index/sweep.js'
import { buildHistory, diff, dirsOf, sha, slice, snapshot, type History, type State } from '../helpers/history.js'
import { s3env } from '../helpers/s3env.js'
import { indexEngines } from '../helpers/index-engines.js'

async function contents (engine: Engine, view: View): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const f of await engine.walk(view, '')) {
    out.set(f.key, sha(await engine.read(view.bucket, f.version, 0, f.version.size)))
  }
  return out
}

function hashes (state: State): Map<string, string> {
  return new Map([...state].map(([k, b]) => [k, sha(b)]))
}

/** Walks the directory tree with readDir and returns every dir and file seen. */
async function tree (engine: Engine, view: View): Promise<{ dirs: string[], files: string[] }> {
  const dirs: string[] = []
  const files: string[] = []
  const visit = async (prefix: string): Promise<void> => {
    const d = await engine.readDir(view, prefix)
    if (!d.exists) throw new Error(`listed dir ${prefix} does not exist`)
    dirs.push(prefix)
    if (d.marker !== undefined) files.push(prefix)
    for (const f of d.files) files.push(f.key)
    for (const sub of d.dirs) await visit(sub.prefix)
  }
  await visit('')
  return { dirs: dirs.sort(), files: files.sort() }
}

/** Snapshots (bytes, directories, stat), slices and diffs at every step. */
async function checkViews (t: Test, engine: Engine, h: History): Promise<void> {
  const at = (i: number): Promise<View> => engine.view(h.bucket, formatInstant(h.at[i]))
  for (let i = 0; i < h.at.length; i++) {
    const view = await at(i)
    const want = snapshot(h, i)
    t.same(Object.fromEntries(await contents(engine, view)), Object.fromEntries(hashes(want)), `snapshot bytes at step ${i}`)
    const got = await tree(engine, view)
    t.same(got.dirs, [...dirsOf(want)].sort(), `directories at step ${i}`)
    t.same(got.files, [...want.keys()].sort(), `files by readDir at step ${i}`)
    for (const key of h.keys) {
      const v = await engine.stat(view, key).catch(e => { if (e instanceof InfinError && e.code === 'NotFound') return undefined; throw e })
      if (v === undefined ? want.has(key) : want.get(key)?.length !== v.size) t.fail(`stat ${JSON.stringify(key)} at step ${i}`)
    }
  }
  for (const [i, j] of [[0, h.at.length - 1], [1, 3], [2, 4], [h.at.length - 3, h.at.length - 1]]) {
    const view = await engine.view(h.bucket, `${formatInstant(h.at[i])}..${formatInstant(h.at[j])}`)
    t.same(Object.fromEntries(await contents(engine, view)), Object.fromEntries(hashes(slice(h, i, j))), `slice ${i}..${j}`)
    const changes = await engine.diff(await at(i), await at(j), '')
    const byKind = (k: string): string[] => changes.filter(c => c.kind === k).map(c => c.key).sort()
    const want = diff(h, i, j)
    t.same({ added: byKind('added'), modified: byKind('modified'), deleted: byKind('deleted') }, want, `diff ${i} -> ${j}`)
  }
}

/** Every key's log, newest first. */
async function checkLogs (t: Test, engine: Engine, h: History): Promise<void> {
  for (const key of h.keys) {
    const { versions } = await engine.history(h.bucket, key)
    const ops = h.ops.filter(o => o.key === key).reverse()
    t.same(versions.map(v => v.deleteMarker ? 'deleted' : `${v.size}`),
      ops.map(o => o.body === undefined ? 'deleted' : `${o.body.length}`), `log of ${JSON.stringify(key)}`)
    const nulls = versions.filter(v => v.versionId === 'null').length
    t.ok(nulls <= 1, 'at most one null version')
  }
}

t.test('snapshots, slices, diffs and logs equal the oracle on random histories', async t => {
  const env = await s3env(t)
  const seeds = [11, 22, 33]
  const histories = await Promise.all(seeds.map(async seed =>
    await buildHistory(env.raw, `hist-${seed}`, { seed, steps: 7, nullSteps: 2 })))
  for (const h of histories) {
    await t.test(`seed bucket ${h.bucket}`, async t => {
      const engine = env.engine()
      await checkViews(t, engine, h)
      await checkLogs(t, engine, h)
    })
  }
})

t.test('through the history index (SQLite and PostgreSQL): the same answers, and no listing', async t => {
  const env = await s3env(t)
  const histories = await Promise.all([44, 55].map(async seed =>
    await buildHistory(env.raw, `ix-engine-${seed}`, { seed, steps: 7, nullSteps: 2 })))
  // Every step settled (the margin is 1 s), so the sweep's watermark covers them all.
  await new Promise(resolve => setTimeout(resolve, 2500))
  for (const ix of await indexEngines(t)) {
    await t.test(ix.name, async t => {
      const { setting, store } = await ix.fresh()
      const { s3, engine } = env.services({ 'settle-margin-ms': 1000, index: setting })
      for (const h of histories) await sweep(s3, store, h.bucket, { settleMarginMs: 1000, pageSize: 7 })
      const listingRequests = (): number => (engine.requests.get('ListObjectVersions') ?? 0) + (engine.requests.get('GetBucketVersioning') ?? 0)
      const before = listingRequests()
      for (const h of histories) await t.test(h.bucket, async t => { await checkViews(t, engine, h) })
      t.equal(listingRequests(), before, 'every settled view came from the index: no listing, no versioning request')
      t.equal((await engine.indexStatus(histories[0].bucket))?.engine, ix.name, 'and the engine says which index serves the bucket')
      const latest = await engine.view(histories[0].bucket, 'latest')
      await engine.readDir(latest, '')
      t.ok(listingRequests() > before, 'latest still reads S3')
    })
  }
})

t.test('one listing serves every settled time with no new request', async t => {
  const env = await s3env(t)
  const h = await buildHistory(env.raw, 'cache-check', { seed: 5, steps: 6, nullSteps: 1 })
  // Let every step settle past the margin, so all times are final.
  await new Promise(resolve => setTimeout(resolve, 2500))
  const engine = env.engine({ settleMarginMs: 1000 })
  const lists = (): number => engine.requests.get('ListObjectVersions') ?? 0
  const views = await Promise.all(h.at.map(async a => await engine.view(h.bucket, formatInstant(a))))
  await tree(engine, views[views.length - 1])
  const first = lists()
  for (const v of views) await tree(engine, v)
  const after = lists()
  t.ok(first > 0, `the first pass listed (${first} requests)`)
  t.equal(after, first, 'ten more views of the same folders cost no listing')
  // latest is live: a new write must show after the live TTL.
  const latest = await engine.view(h.bucket, 'latest')
  const { PutObjectCommand } = await import('@aws-sdk/client-s3')
  await env.raw.send(new PutObjectCommand({ Bucket: h.bucket, Key: 'fresh.txt', Body: 'new' }))
  await new Promise(resolve => setTimeout(resolve, 1100))
  const root = await engine.readDir(latest, '')
  t.ok(root.files.some(f => f.key === 'fresh.txt'), 'latest sees a write made after the first listing')
})
