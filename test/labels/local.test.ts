// The local label store: a JSON file, atomic writes, a lock that survives races and crashes.
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parseInstant } from '../../src/core/timespec.js'
import type { Label } from '../../src/core/label-record.js'
import { LocalLabelStore } from '../../src/labels/local.js'
import { FileLock, ownerTag } from '../../src/labels/lock.js'

const T = parseInstant('2022-12-06T00:00:00Z')
const DIST_LOCAL = fileURLToPath(new URL('../../dist/labels/local.js', import.meta.url))

function label (name: string, bucket = 'sales'): Label {
  return { name, bucket, prefix: '', spec: { kind: 'at', t: T }, createdAt: T + 1000, creator: 'ann@box' }
}

const temps: string[] = []
t.teardown(async () => { for (const d of temps) await rm(d, { recursive: true, force: true }) })

async function tempStore (): Promise<{ dir: string, path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'infinstor-labels-'))
  temps.push(dir)
  return { dir, path: join(dir, 'sub', 'labels.json') }
}

t.test('create, list, get, remove; a removed name stays taken', async t => {
  const { path } = await tempStore()
  const store = new LocalLabelStore(path)
  t.same(await store.list(), [], 'a missing file is an empty store')
  t.equal(await store.get('a'), undefined)
  await store.create(label('b'))
  await store.create(label('a', 'other'))
  t.same((await store.list()).map(l => l.name), ['a', 'b'], 'sorted by name')
  t.same((await store.list('sales')).map(l => l.name), ['b'], 'filtered by bucket')
  t.same(await store.get('b'), { label: label('b') })
  await t.rejects(store.create(label('b')), { code: 'Conflict', message: /label 'b' already exists: s3:\/\/sales\/@2022-12-06T00:00:00Z/ })
  const removed = await store.remove('b', 'bob@box')
  t.equal(removed.deleted?.deletedBy, 'bob@box')
  t.same((await store.list()).map(l => l.name), ['a'])
  t.equal((await store.get('b'))?.deleted?.name, 'b', 'the deleted label is kept')
  await t.rejects(store.create(label('b')), { code: 'Conflict', message: /label 'b' was deleted on .* by bob@box .*never reused/ })
  await t.rejects(store.remove('b', 'x'), { code: 'NotFound', message: /label 'b' was deleted/ })
  await t.rejects(store.remove('zzz', 'x'), { code: 'NotFound', message: /no label named 'zzz' in the label store .*labels.json/ })
  t.same((await readdir(join(path, '..'))).sort(), ['labels.json'], 'no temp or lock files are left')
})

t.test('a corrupt or partly written file is reported and never overwritten', async t => {
  const { path } = await tempStore()
  const store = new LocalLabelStore(path)
  await store.create(label('keep'))
  const full = await readFile(path, 'utf8')
  for (const [what, content] of [['cut off', full.slice(0, 40)], ['empty', ''], ['not a store', '{"labels": []}']]) {
    await writeFile(path, content)
    await t.rejects(store.list(), { code: 'Corrupt', message: /label store .*labels.json is corrupt/ }, `${what}: list`)
    await t.rejects(store.create(label('new')), { code: 'Corrupt' }, `${what}: create`)
    t.equal(await readFile(path, 'utf8'), content, `${what}: the file is untouched`)
  }
})

t.test('a lock left by a dead process, or an old one, is broken; a live one is waited for', async t => {
  const { dir } = await tempStore()
  const path = join(dir, 'labels.json')
  const store = new LocalLabelStore(path)
  // A pid that is certainly not running: a child that has exited.
  const dead = await new Promise<number>(resolve => {
    const c = execFile(process.execPath, ['-e', '0'], () => resolve(c.pid as number))
  })
  await writeFile(path + '.lock', JSON.stringify({ pid: dead, host: hostname(), nonce: 'x' }))
  await store.create(label('after-crash'))
  t.same((await store.list()).map(l => l.name), ['after-crash'], 'a dead holder\'s lock was broken')

  await writeFile(path + '.lock', JSON.stringify({ pid: process.pid, host: hostname(), nonce: 'y' }))
  const impatient = new LocalLabelStore(path, { waitMs: 300 })
  await t.rejects(impatient.create(label('blocked')), {
    code: 'Unavailable', message: new RegExp(`locked by process ${process.pid} on ${hostname()}; waited 300 ms.*delete .*labels.json.lock`)
  })
  const old = new Date(Date.now() - 120_000)
  await utimes(path + '.lock', old, old)
  await impatient.create(label('after-old'))
  t.same((await store.list()).map(l => l.name), ['after-crash', 'after-old'], 'a lock older than the stale limit was broken')
})

t.test('what writers killed mid-way left behind is removed by the next write, and nothing else', async t => {
  const { dir } = await tempStore()
  const path = join(dir, 'labels.json')
  const store = new LocalLabelStore(path)
  await store.create(label('first'))
  const dead = await new Promise<number>(resolve => {
    const c = execFile(process.execPath, ['-e', '0'], () => resolve(c.pid as number))
  })
  const tag = ownerTag().split('-')[0]
  const old = new Date(Date.now() - 120_000)
  const left = {
    // A dead process on this host: gone at once, whatever their age.
    [`labels.json.lock.${tag}-${dead}-0123456789abcdef`]: 'lock temp',
    [`labels.json.lock.stale-${tag}-${dead}-0123456789abcdef`]: 'moved-aside lock',
    [`labels.json.${tag}-${dead}-0123456789ab.tmp`]: 'half a write',
    // Written before owner tags (or by another host): gone once old.
    'labels.json.lock.fedcba9876543210': 'old lock temp',
    'labels.json.ba9876543210.tmp': 'old write'
  }
  const kept = {
    // This process is alive, another host's pid cannot be judged, and a fresh untagged one may be in use.
    [`labels.json.lock.${ownerTag()}-1111111111111111`]: 'a live waiter',
    [`labels.json.lock.00000000-${dead}-2222222222222222`]: 'another host',
    'labels.json.333333333333.tmp': 'fresh, untagged',
    // Not ours at all.
    'labels.json.bak': 'a backup',
    'labels.json.lock.notes': 'notes'
  }
  for (const [name, text] of Object.entries({ ...left, ...kept })) await writeFile(join(dir, name), text)
  for (const name of ['labels.json.lock.fedcba9876543210', 'labels.json.ba9876543210.tmp', 'labels.json.bak']) await utimes(join(dir, name), old, old)
  await store.create(label('second'))
  t.same((await readdir(dir)).sort(), ['labels.json', ...Object.keys(kept)].sort(), 'leftovers removed, the rest kept')
  t.same((await store.list()).map(l => l.name), ['first', 'second'])
})

t.test('an unwritable store is reported, not a crash', async t => {
  const store = new LocalLabelStore('/proc/infinstor-labels.json')
  await t.rejects(store.create(label('x')), { code: 'Unavailable', message: /cannot write label store \/proc\/infinstor-labels.json \(ENOENT/ })
  const { dir } = await tempStore()
  await writeFile(join(dir, 'file'), 'a file where a folder should be')
  await t.rejects(new LocalLabelStore(join(dir, 'file', 'labels.json')).create(label('y')), { code: 'Unavailable', message: /cannot write label store/ })
})

t.test('a holder whose lock was taken over writes nothing', async t => {
  const { dir } = await tempStore()
  const lock = new FileLock(join(dir, 'x.lock'))
  await t.rejects(lock.with(async assertHeld => {
    await writeFile(join(dir, 'x.lock'), 'someone else')
    await assertHeld()
    t.fail('must not get here')
  }), { code: 'Unavailable', message: /was taken over/ })
  t.equal(await readFile(join(dir, 'x.lock'), 'utf8'), 'someone else', 'the other holder\'s lock is left alone')
})

t.test('processes racing on one file lose no label, and one name has one winner', async t => {
  const { path } = await tempStore()
  const script = `
    import { LocalLabelStore } from ${JSON.stringify(DIST_LOCAL)}
    const [path, who] = process.argv.slice(1)
    const store = new LocalLabelStore(path, { waitMs: 60000 })
    const label = name => ({ name, bucket: 'sales', prefix: '', spec: { kind: 'at', t: ${T} }, createdAt: ${T}, creator: who })
    let won = 0
    for (let i = 0; i < 25; i++) {
      await store.create(label(who + '-' + i))
      try { await store.create(label('contested-' + i)); won++ } catch (e) { if (e.code !== 'Conflict') throw e }
    }
    process.stdout.write(String(won))`
  const workers = ['p0', 'p1', 'p2', 'p3']
  const wins = await Promise.all(workers.map(async who => await new Promise<number>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script, path, who], (err, stdout, stderr) => {
      if (err !== null) reject(new Error(stderr))
      else resolve(Number(stdout))
    })
  })))
  const names = (await new LocalLabelStore(path).list()).map(l => l.name)
  t.equal(names.length, 4 * 25 + 25, 'every label written by every process is there')
  for (const who of workers) t.ok(names.includes(`${who}-24`), `${who}'s labels are there`)
  t.equal(wins.reduce((a, b) => a + b, 0), 25, 'each contested name was won exactly once')
})
