// The history index against the oracle (and against the engine's live
// path, version for version) on random histories in a real S3 (moto), for
// both engines: every query at every step boundary, slices and diffs.
import { createHash } from 'node:crypto'
import t, { type Test } from 'tap'
import { formatInstant, type TimeSpec } from '../../src/core/timespec.js'
import { compareKeys } from '../../src/core/versions.js'
import type { Engine } from '../../src/engine/engine.js'
import { endpointKey } from '../../src/index/endpoint.js'
import type { IndexStore } from '../../src/index/open.js'
import { rowsOfKey } from '../../src/index/rows.js'
import { FOREVER } from '../../src/index/schema.js'
import { sweep } from '../../src/index/sweep.js'
import { buildHistory, diff, dirsOf, nextSecond, slice, snapshot, type History, type State } from '../helpers/history.js'
import { s3env } from '../helpers/s3env.js'
import { allPages, indexEngines } from '../helpers/index-engines.js'

const MARGIN_MS = 1000

const etag = (b: Buffer): string => `"${createHash('md5').update(b).digest('hex')}"`
const etags = (s: State): Record<string, string> => Object.fromEntries([...s].map(([k, b]) => [k, etag(b)]))
const at = (t: number): TimeSpec => ({ kind: 'at', t })

/** Every directory and file of a view, visiting readDir pages of `limit` entries. */
async function tree (store: IndexStore, bucket: string, spec: TimeSpec, limit: number): Promise<{ dirs: string[], files: string[] }> {
  const dirs: string[] = []
  const files: string[] = []
  const visit = async (prefix: string): Promise<void> => {
    dirs.push(prefix)
    const subdirs: string[] = []
    let after: string | undefined
    do {
      const page = await store.readDir(bucket, prefix, spec, { after, limit })
      if (page.marker !== undefined) files.push(prefix)
      files.push(...page.files.map(f => f.key))
      subdirs.push(...page.dirs.map(d => d.prefix))
      after = page.next
    } while (after !== undefined)
    for (const d of subdirs) await visit(d)
  }
  await visit('')
  return { dirs: dirs.sort(), files: files.sort() }
}

/** Every directory any step had, so that absent ones are asked about too. */
function everyDir (h: History): string[] {
  const all = new Set<string>()
  for (let i = 0; i < h.at.length; i++) for (const d of dirsOf(snapshot(h, i))) all.add(d)
  for (const k of h.keys) all.add(k + '/')
  return [...all].sort()
}

async function check (t: Test, store: IndexStore, engine: Engine, h: History): Promise<void> {
  const b = h.bucket
  for (let i = 0; i < h.at.length; i++) {
    const spec = at(h.at[i])
    const view = await engine.view(b, formatInstant(h.at[i]))
    const want = snapshot(h, i)
    t.ok(await store.covers(b, spec, endpointKey(engine.endpoint, 'us-east-1')), `step ${i} is covered`)
    const walk = await allPages(async p => await store.walk(b, '', spec, p), 3)
    t.same(Object.fromEntries(walk.map(f => [f.key, f.version.etag])), etags(want), `walk at step ${i}`)
    t.same(walk.map(f => f.version), (await engine.walk(view, '')).map(f => f.version), `walk at step ${i}: the live path's versions`)
    const got = await tree(store, b, spec, 2)
    t.same(got.dirs, [...dirsOf(want)].sort(), `directories at step ${i}`)
    t.same(got.files, [...want.keys()].sort(), `files by readDir at step ${i}`)
    for (const dir of got.dirs) {
      const live = await engine.readDir(view, dir)
      const mine = await store.readDir(b, dir, spec)
      t.same({ files: mine.files, dirs: mine.dirs, marker: mine.marker }, { files: live.files, dirs: live.dirs, marker: live.marker },
        `readDir ${JSON.stringify(dir)} at step ${i} equals the live path`)
    }
    const dirs = dirsOf(want)
    for (const d of everyDir(h)) t.equal(await store.dirExists(b, d, spec), dirs.has(d), `dirExists ${JSON.stringify(d)} at step ${i}`)
    for (const key of h.keys) {
      const body = want.get(key)
      t.equal((await store.stat(b, key, spec))?.etag, body === undefined ? undefined : etag(body), `stat ${JSON.stringify(key)} at step ${i}`)
    }
    // The whole second of the step's writes: LastModified itself, where intervals begin and end.
    const second = at(Math.floor(h.at[i] / 1000) * 1000)
    const exact = await allPages(async p => await store.walk(b, '', second, p), 1000)
    t.same(Object.fromEntries(exact.map(f => [f.key, f.version.etag])), etags(want), `walk at the second of step ${i}`)
    for (const d of everyDir(h)) t.equal(await store.dirExists(b, d, second), dirs.has(d), `dirExists ${JSON.stringify(d)} at the second of step ${i}`)
    const s = await store.summary(b, h.at[i])
    const ops = h.ops.filter(o => o.step <= i)
    t.same({ liveObjects: s.liveObjects, liveBytes: s.liveBytes, versions: s.versions, deleteMarkers: s.deleteMarkers }, {
      liveObjects: want.size,
      liveBytes: [...want.values()].reduce((n, x) => n + x.length, 0),
      versions: ops.filter(o => o.body !== undefined).length,
      deleteMarkers: ops.filter(o => o.body === undefined).length
    }, `summary at step ${i}`)
  }
  const last = h.at.length - 1
  for (const [i, j] of [[0, last], [1, 3], [2, 4], [last - 3, last]]) {
    const spec: TimeSpec = { kind: 'slice', from: h.at[i], to: h.at[j] }
    const got = await allPages(async p => await store.walk(b, '', spec, p), 2)
    t.same(Object.fromEntries(got.map(f => [f.key, f.version.etag])), etags(slice(h, i, j)), `slice ${i}..${j}`)
    const changes = await allPages(async p => await store.diff(b, at(h.at[i]), at(h.at[j]), '', p), 2)
    const byKind = (k: string): string[] => changes.filter(c => c.kind === k).map(c => c.key).sort()
    t.same({ added: byKind('added'), modified: byKind('modified'), deleted: byKind('deleted') }, diff(h, i, j), `diff ${i} -> ${j}`)
    const live = await engine.diff(await engine.view(b, formatInstant(h.at[i])), await engine.view(b, formatInstant(h.at[j])), '')
    t.same(changes, live, `diff ${i} -> ${j} equals the live path's`)
  }
  for (const key of h.keys) {
    const mine = await store.history(b, key)
    t.same(mine, await engine.history(b, key), `log of ${JSON.stringify(key)} equals the live path's`)
    t.same(mine.versions.map(v => v.deleteMarker ? 'deleted' : `${v.size}`),
      h.ops.filter(o => o.key === key).reverse().map(o => o.body === undefined ? 'deleted' : `${o.body.length}`), `log of ${JSON.stringify(key)}`)
  }
  const all = await allPages(async p => await store.histories(b, '', p), 3)
  const live = await engine.histories(b, '')
  t.same(all, [...live].map(([key, versions]) => ({ key, versions })), 'every history equals the live path\'s')
  const summary = await engine.summary(b)
  const state = await store.bucket(b)
  t.same({ versions: state?.versions, deleteMarkers: state?.deleteMarkers, liveObjects: state?.liveObjects, liveBytes: state?.liveBytes, horizon: state?.horizon },
    { versions: summary.versions, deleteMarkers: summary.deleteMarkers, liveObjects: summary.liveObjects, liveBytes: summary.liveBytes, horizon: summary.horizon },
    'the bucket\'s counts equal the live summary')
  t.equal((await store.summary(b, h.at[last])).horizon, summary.horizon, 'horizon')
  t.notOk(await store.covers(b, { kind: 'latest' }, endpointKey(engine.endpoint, 'us-east-1')), 'latest is never covered')
}

t.test('every query equals the oracle on random histories, in both engines', async t => {
  const env = await s3env(t)
  const engines = await indexEngines(t)
  const histories = await Promise.all([41, 42].map(async seed =>
    await buildHistory(env.raw, `ix-model-${seed}`, { seed, steps: 7, nullSteps: 2 })))
  // Every step settles before the sweeps start.
  await new Promise(resolve => setTimeout(resolve, MARGIN_MS + 1200))
  const { s3, engine: live } = env.services({ 'settle-margin-ms': MARGIN_MS })
  for (const e of engines) {
    await t.test(e.name, async t => {
      const { store } = await e.fresh()
      for (const h of histories) {
        // Small pages, so keys are split across pages and page boundaries.
        const r = await sweep(s3, store, h.bucket, { settleMarginMs: MARGIN_MS, pageSize: 3 })
        t.equal(r.entries, h.ops.length, `the sweep listed every entry of ${h.bucket}`)
        t.ok(r.watermark >= h.at[h.at.length - 1], 'the watermark is past the last step')
        await t.test(h.bucket, async t => { await check(t, store, live, h) })
      }
    })
  }
})

t.test('same-second entries of one key: the view shows the newest, as the live path does', async t => {
  const env = await s3env(t)
  const engines = await indexEngines(t)
  const { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, DeleteObjectCommand } = await import('@aws-sdk/client-s3')
  const bucket = 'ix-ties'
  await env.raw.send(new CreateBucketCommand({ Bucket: bucket }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }))
  const { s3, engine: live } = env.services({ 'settle-margin-ms': MARGIN_MS })
  // Writes that land in one second (retried if a busy machine spreads them over two).
  let second = 0
  for (let attempt = 0; attempt < 5 && second === 0; attempt++) {
    await nextSecond()
    const s = Math.floor(Date.now() / 1000)
    await env.raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'tie', Body: `one-${attempt}` }))
    await env.raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'tie', Body: `two-${attempt}!` }))
    await env.raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'dir/gone', Body: 'x' }))
    await env.raw.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'dir/gone' }))
    if (Math.floor(Date.now() / 1000) === s) second = s * 1000
  }
  t.ok(second > 0, 'four writes landed in one second')
  await nextSecond()
  await env.raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'tie', Body: 'three' }))
  await new Promise(resolve => setTimeout(resolve, MARGIN_MS + 1200))
  for (const e of engines) {
    const { store } = await e.fresh()
    await sweep(s3, store, bucket, { settleMarginMs: MARGIN_MS, pageSize: 2 })
    for (const when of [second, second + 999, second + 1000, second + 1500]) {
      const spec = at(when)
      const view = await live.view(bucket, formatInstant(when))
      t.same(await store.stat(bucket, 'tie', spec), (await live.history(bucket, 'tie')).versions.find(v => v.lastModified <= when),
        `${e.name}: 'tie' at ${formatInstant(when)}`)
      t.same((await store.walk(bucket, '', spec)).items, await live.walk(view, ''), `${e.name}: walk at ${formatInstant(when)}`)
      t.equal(await store.dirExists(bucket, 'dir/', spec), false, `${e.name}: a key written and deleted in one second never shows`)
    }
    t.same(await store.history(bucket, 'tie'), await live.history(bucket, 'tie'), `${e.name}: the log orders ties as the live path does`)
  }
})

t.test('keys that need quoting or escaping survive both engines byte for byte, in S3 order', async t => {
  const engines = await indexEngines(t)
  const keys = ['NULL', 'a"quote', 'back\\slash', '{brace}', 'comma,key', ' lead space', 'tab\tkey', 'ünï', '日本/語', '😀/x', 'a-', 'a/', 'a/b', 'a0', '\u007f']
  const sorted = [...keys].sort(compareKeys)
  for (const e of engines) {
    const { store } = await e.fresh()
    let lm = 1_000_000
    for (const key of keys) {
      await store.writes.replaceKey('quoting', key, rowsOfKey([{
        key, versionId: `id"${key}`, lastModified: lm += 1000, size: key.length, etag: `"${key}"`, deleteMarker: false, isLatest: true, position: 0
      }]), undefined, 'test')
    }
    const all = await allPages(async p => await store.walk('quoting', '', at(FOREVER - 1), p), 4)
    t.same(all.map(f => f.key), sorted, `${e.name}: every key, in byte order`)
    t.same(all.map(f => [f.version.versionId, f.version.etag]), sorted.map(k => [`id"${k}`, `"${k}"`]), `${e.name}: ids and etags intact`)
    for (const key of keys) t.equal((await store.stat('quoting', key, at(FOREVER - 1)))?.key, key, `${e.name}: stat ${JSON.stringify(key)}`)
  }
})
