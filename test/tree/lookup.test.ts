// Looking a path up in a view before (or without) listing its folders:
// what it answers, against the oracle over a random history, and what it
// costs in S3 listings. Against a real S3 (moto).
import { CreateBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import { InfinError } from '../../src/core/errors.js'
import { formatInstant } from '../../src/core/timespec.js'
import { streamLog } from '../../src/config/log.js'
import type { Engine } from '../../src/engine/engine.js'
import { DirectReader } from '../../src/reader/direct.js'
import type { TreeNode } from '../../src/tree/nodes.js'
import { segments } from '../../src/tree/paths.js'
import { TimeTree } from '../../src/tree/time-tree.js'
import { buildHistory, FILE_NAME_KEYS, nextSecond, ODD_KEYS, PLAIN_KEYS, snapshot } from '../helpers/history.js'
import { expected } from '../helpers/mount-oracle.js'
import { s3env } from '../helpers/s3env.js'

/** A tree with nothing cached of its own (the engine's listings may be). */
function freshTree (engine: Engine, lines: string[] = []): TimeTree {
  return new TimeTree(engine, new DirectReader(engine.read.bind(engine), { deadlineMs: 5000 }), {
    liveTtlMs: 500,
    settleMarginMs: 1000,
    attrTimeoutMs: 1000,
    log: streamLog(line => lines.push(line))
  })
}

async function lookup (tree: TimeTree, path: string): Promise<TreeNode | 'missing'> {
  return await tree.lookup(segments(path)).catch(e => {
    if (e instanceof InfinError && e.code === 'NotFound') return 'missing' as const
    throw e
  })
}

t.test('a lookup with nothing listed answers as the listing would, at every step of a random history', async t => {
  const env = await s3env(t)
  const h = await buildHistory(env.raw, 'looks', { seed: 16, steps: 7, keys: [...PLAIN_KEYS, ...ODD_KEYS, ...FILE_NAME_KEYS], opsPerStep: 6 })
  await new Promise(resolve => setTimeout(resolve, 2200)) // every step settled
  const engine = env.engine({ settleMarginMs: 1000 })
  // Every path any step shows, so each step also looks up paths it does not have.
  const paths = new Set<string>()
  const wants = h.at.map((_, i) => expected(snapshot(h, i)))
  for (const want of wants) for (const p of [...Object.keys(want.files), ...want.dirs]) paths.add(p)
  t.ok(paths.size > 15, `${paths.size} paths`)
  for (let i = 0; i < h.at.length; i++) {
    const want = wants[i]
    const view = `/looks/@${formatInstant(h.at[i])}`
    const fileSizes = new Map([...snapshot(h, i)].map(([k, b]) => [k, b.length]))
    for (const p of paths) {
      // A fresh tree per path: each lookup walks folders nothing has listed in it.
      const got = await lookup(freshTree(engine), `${view}/${p}`)
      const kind = got === 'missing' ? 'missing' : got.kind
      const wanted = want.dirs.includes(p) ? 'dir' : want.files[p] !== undefined ? 'file' : 'missing'
      if (kind !== wanted) t.fail(`step ${i}: ${JSON.stringify(p)} is ${kind}, not ${wanted}`)
      if (got !== 'missing' && got.kind === 'file' && fileSizes.has(p) && got.size !== fileSizes.get(p)) {
        t.fail(`step ${i}: ${JSON.stringify(p)} has ${got.size} bytes, not ${fileSizes.get(p)}`)
      }
    }
    // The same answers once the folders are listed (the listing's own path).
    const listed = freshTree(engine)
    const walk = async (dir: string): Promise<void> => {
      for (const n of await listed.list(segments(view + dir))) if (n.kind === 'dir') await walk(`${dir}/${n.name}`)
    }
    await walk('')
    for (const p of paths) {
      const got = await lookup(listed, `${view}/${p}`)
      const kind = got === 'missing' ? 'missing' : got.kind
      const wanted = want.dirs.includes(p) ? 'dir' : want.files[p] !== undefined ? 'file' : 'missing'
      if (kind !== wanted) t.fail(`step ${i}, listed: ${JSON.stringify(p)} is ${kind}, not ${wanted}`)
    }
  }
  t.pass(`${paths.size} paths at ${h.at.length} steps, before and after listing`)
})

t.test('looking up a file lists its folder, not every folder beside it', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'wide' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'wide', VersioningConfiguration: { Status: 'Enabled' } }))
  await nextSecond()
  await env.raw.send(new PutObjectCommand({ Bucket: 'wide', Key: 'top.bin', Body: 'top' }))
  // Folders whose liveness takes a search two levels deep each.
  for (let i = 0; i < 12; i++) await env.raw.send(new PutObjectCommand({ Bucket: 'wide', Key: `s${i}/deep/f`, Body: 'f' }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'wide', Key: 'clash', Body: 'a file' }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'wide', Key: 'clash/inner', Body: 'inner' }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'wide', Key: 'ghost/only', Body: 'gone soon' }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'wide', Key: 'gone.txt', Body: 'gone soon' }))
  const t1 = formatInstant(Date.now())
  await nextSecond()
  await env.raw.send(new DeleteObjectCommand({ Bucket: 'wide', Key: 'clash/inner' }))
  await env.raw.send(new DeleteObjectCommand({ Bucket: 'wide', Key: 'ghost/only' }))
  await env.raw.send(new DeleteObjectCommand({ Bucket: 'wide', Key: 'gone.txt' }))
  const t2 = formatInstant(Date.now())
  await nextSecond()
  await new Promise(resolve => setTimeout(resolve, 2200))

  const engine = env.engine({ settleMarginMs: 1000 })
  const lines: string[] = []
  const tree = freshTree(engine, lines)
  const before = engine.requests.get('ListObjectVersions') ?? 0
  const top = await lookup(tree, `/wide/@${t1}/top.bin`)
  t.equal(top !== 'missing' && top.kind === 'file' ? top.size : undefined, 3)
  t.equal((engine.requests.get('ListObjectVersions') ?? 0) - before, 1, 'one listing: the root folder')

  const clash1 = await lookup(tree, `/wide/@${t1}/clash`)
  t.equal(clash1 !== 'missing' && clash1.kind, 'dir', 'a live folder hides a file of its name')
  t.match(lines.join(''), /s3:\/\/wide\/clash is hidden at .*: a directory of the same name wins/, 'and the hidden file is logged')
  const clash2 = await lookup(tree, `/wide/@${t2}/clash`)
  t.equal(clash2 !== 'missing' && clash2.kind, 'file', 'once nothing under the folder is live, the file shows')
  t.equal(await lookup(tree, `/wide/@${t2}/ghost`), 'missing', 'a folder with no live key is not there')
  t.equal(await lookup(tree, `/wide/@${t2}/ghost/only`), 'missing')
  t.equal(await lookup(tree, `/wide/@${t2}/gone.txt`), 'missing')
  t.match(lines.join(''), /gone\.txt: no such file: s3:\/\/wide\/gone\.txt was deleted at/, 'a deleted file says when')
  const deep = await lookup(tree, `/wide/@${t1}/s3/deep/f`)
  t.equal(deep !== 'missing' && deep.kind, 'file')
})
