// The time tree without FUSE: paths, attributes, names, reads, caching
// and the label hook, against a real S3 (moto).
import { PutBucketVersioningCommand, PutObjectCommand, CreateBucketCommand } from '@aws-sdk/client-s3'
import t, { type Test } from 'tap'
import { InfinError, type ErrorCode } from '../../src/core/errors.js'
import { formatInstant } from '../../src/core/timespec.js'
import type { Version } from '../../src/core/versions.js'
import { streamLog } from '../../src/config/log.js'
import { Engine } from '../../src/engine/engine.js'
import { DirectReader } from '../../src/reader/direct.js'
import type { LabelInfo } from '../../src/tree/label-links.js'
import { versionMtime, type TreeNode } from '../../src/tree/nodes.js'
import { parseTreePath, segments } from '../../src/tree/paths.js'
import { TimeTree } from '../../src/tree/time-tree.js'
import { s3env } from '../helpers/s3env.js'

/** The tree's operations by mount path, as the FUSE adapter calls them. */
function byPath (tree: TimeTree): {
  names: (path: string) => Promise<string[]>
  lookup: (path: string) => Promise<TreeNode>
  read: (path: string) => Promise<string>
} {
  return {
    names: async path => (await tree.list(segments(path))).map(n => n.name),
    lookup: async path => await tree.lookup(segments(path)),
    read: async path => {
      const file = await tree.open(segments(path))
      const parts: Buffer[] = []
      for (let off = 0; ; off += 4) {
        const b = await file.read(off, 4)
        if (b.length === 0) break
        parts.push(b)
      }
      file.close()
      return Buffer.concat(parts).toString()
    }
  }
}

function size (node: TreeNode): number | undefined {
  return node.kind === 'file' ? node.size : undefined
}

function treeOf (engine: Engine, opts: { buckets?: string[], labels?: LabelInfo[], lines?: string[], attrTimeoutMs?: number } = {}): TimeTree {
  const lines = opts.lines ?? []
  return new TimeTree(engine, new DirectReader(engine.read.bind(engine), { deadlineMs: 5000 }), {
    buckets: opts.buckets,
    liveTtlMs: 500,
    settleMarginMs: 1000,
    attrTimeoutMs: opts.attrTimeoutMs ?? 1000,
    log: streamLog(line => lines.push(line)),
    labels: opts.labels === undefined ? undefined : { list: async bucket => (opts.labels ?? []).filter(l => bucket === undefined || l.bucket === bucket) }
  })
}

async function rejectsWith (t: Test, p: Promise<unknown>, code: ErrorCode, what: string): Promise<void> {
  await p.then(() => t.fail(`${what}: expected ${code}`), e => t.equal((e as InfinError).code, code, what))
}

async function nextSecond (): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20))
}

t.test('paths parse into the layout', async t => {
  const parse = (path: string): ReturnType<typeof parseTreePath> => parseTreePath(segments(path))
  t.same(parse('/'), { kind: 'root' })
  t.same(parse('/@labels'), { kind: 'labels' })
  t.same(parse('/@labels/v3'), { kind: 'label', name: 'v3' })
  t.same(parse('/@labels/v3/x'), { kind: 'none' })
  t.same(parse('/sales'), { kind: 'bucket', bucket: 'sales' })
  t.same(parse('/sales/q4'), { kind: 'none' }, 'a bucket holds only @views')
  t.same(parse('/sales/@'), { kind: 'none' })
  t.same(parse('/sales/@2022-12-06..2022-12-07/q4/a.csv'),
    { kind: 'view', bucket: 'sales', spec: '2022-12-06..2022-12-07', names: ['q4', 'a.csv'] })
})

t.test('tree, attributes and bytes at two times; a lookup costs no S3 request', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'tree' }))
  await env.raw.send(new CreateBucketCommand({ Bucket: 'other' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'tree', VersioningConfiguration: { Status: 'Enabled' } }))
  await nextSecond()
  for (let i = 0; i < 50; i++) await env.raw.send(new PutObjectCommand({ Bucket: 'tree', Key: `d/f${i}`, Body: `one ${i}` }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'tree', Key: 'a//b', Body: 'slashes' }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'tree', Key: 'x', Body: 'hidden file' }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'tree', Key: 'x/y', Body: 'y' }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'tree', Key: 'empty/', Body: '', ContentLength: 0 }))
  const t1 = formatInstant(Date.now())
  await nextSecond()
  await env.raw.send(new PutObjectCommand({ Bucket: 'tree', Key: 'd/f0', Body: 'two, longer' }))
  await nextSecond()
  await new Promise(resolve => setTimeout(resolve, 2600)) // both times settled
  const engine = env.engine({ settleMarginMs: 1000 })
  const lines: string[] = []
  const tree = treeOf(engine, { lines })
  const { names, lookup, read } = byPath(tree)

  t.same(await names('/'), ['other', 'tree'], 'the root lists the buckets')
  t.same(await names('/tree'), ['@latest'], 'a bucket lists @latest (and labels, when wired in)')
  t.same(await names(`/tree/@${t1}`), ['a', 'd', 'empty', 'x'])
  t.same(await names(`/tree/@${t1}/a`), ['／'], 'an empty segment gets a stand-in name')
  t.same(await names(`/tree/@${t1}/empty`), [], "a 'dir/' marker is an empty directory")
  t.same(await names(`/tree/@${t1}/x`), ['y'])
  t.match(lines.join(''), /s3:\/\/tree\/x is hidden at .*: a directory of the same name wins/, 'the hidden file is logged')

  const dir = await lookup(`/tree/@${t1}/d`)
  t.same([dir.kind, dir.name, dir.mtime], ['dir', 'd', Date.parse(t1)], "a directory of a view has the view's time")
  await names(`/tree/@${t1}/d`)
  await names('/tree/@latest/d')
  const before = new Map(engine.requests)
  const f0 = await lookup(`/tree/@${t1}/d/f0`)
  for (let i = 1; i < 50; i++) await lookup(`/tree/@${t1}/d/f${i}`)
  const now0 = await lookup('/tree/@latest/d/f0')
  t.same(engine.requests, before, '51 lookups after a listing cost no S3 request')
  for (let i = 1; i <= 10; i++) await names(`/tree/@${formatInstant(Date.parse(t1) + i * 50)}/d`)
  t.same(engine.requests, before, 'the same folder at ten more settled times costs no S3 request')
  t.equal(f0.kind, 'file')
  t.equal(size(f0), 5)
  t.equal(size(now0), 11)
  t.ok(now0.mtime > f0.mtime, 'mtime is the version time')
  const v0 = (await engine.readDir(await engine.view('tree', t1), 'd/')).files.find(f => f.key === 'd/f0')?.version as Version
  t.equal(Math.floor(f0.mtime / 1000), v0.lastModified / 1000, 'to the second')
  const sameSecond = versionMtime({ ...v0, versionId: 'another', etag: '"other"' })
  t.not(sameSecond, f0.mtime, 'another version of the same second gets another mtime (so the page cache notices)')
  t.equal(Math.floor(sameSecond / 1000), v0.lastModified / 1000, 'in the same second')

  t.equal(await read(`/tree/@${t1}/d/f0`), 'one 0', 'the old bytes at the old time')
  t.equal(await read('/tree/@latest/d/f0'), 'two, longer')
  t.equal(await read(`/tree/@${t1}/a/／/b`), 'slashes')

  await rejectsWith(t, lookup('/tree/@latest/d/nope'), 'NotFound', 'an unknown key')
  await rejectsWith(t, lookup('/tree/@latest/d/f0/deeper'), 'NotFound', 'a path through a file')
  await rejectsWith(t, lookup('/tree/@2022-13-01'), 'BadSpec', 'a bad spec')
  await rejectsWith(t, lookup('/tree/@2999-01-01'), 'FutureTime', 'a future time')
  await rejectsWith(t, lookup('/tree/@some-label'), 'NotFound', 'an unknown label')
  await rejectsWith(t, lookup('/nobucket'), 'NotFound', 'an unknown bucket')
  await rejectsWith(t, lookup('/tree/q4'), 'NotFound', 'a bucket entry without @')
  await rejectsWith(t, lookup('/@labels'), 'NotFound', 'no @labels without a label index')

  const only = treeOf(engine, { buckets: ['tree'] })
  t.same(await byPath(only).names('/'), ['tree'], '--bucket limits the root')
  await rejectsWith(t, byPath(only).lookup('/other'), 'NotFound', 'a bucket not asked for')
})

t.test('an open file in @latest reads the version whose size the kernel was told', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'pin' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'pin', VersioningConfiguration: { Status: 'Enabled' } }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'pin', Key: 'f', Body: 'first' }))
  // The kernel's trust in attributes lasts 5 s here: long enough for the steps below on a busy machine.
  const tree = treeOf(env.engine({ liveTtlMs: 200 }), { attrTimeoutMs: 5000 })
  const path = ['pin', '@latest', 'f']
  const sizeNow = async (): Promise<number | undefined> => size(await tree.lookup(path))
  t.equal(await sizeNow(), 5)
  await nextSecond()
  await env.raw.send(new PutObjectCommand({ Bucket: 'pin', Key: 'f', Body: 'second, longer' }))
  await new Promise(resolve => setTimeout(resolve, 700))
  const f1 = await tree.open(path)
  t.equal((await f1.read(0, 100)).toString(), 'first', 'the pinned version, not a torn mix of sizes')
  f1.close()
  t.equal(await sizeNow(), 14, 'a new lookup sees the new version')
  const f2 = await tree.open(path)
  t.equal((await f2.read(0, 100)).toString(), 'second, longer', 'and the next open reads it')
  f2.close()
  await nextSecond()
  await env.raw.send(new PutObjectCommand({ Bucket: 'pin', Key: 'f', Body: 'third' }))
  await new Promise(resolve => setTimeout(resolve, 5100))
  const f3 = await tree.open(path)
  t.equal((await f3.read(0, 100)).toString(), 'third', 'once the kernel no longer trusts the old size, an open reads the newest')
  f3.close()
  const f4 = await tree.open(path)
  t.equal(await sizeNow(), 5)
  t.equal((await f4.read(0, 100)).toString(), 'third', 'attributes answered between open and first read are what it reads')
  f4.close()
})

t.test('the label hook: @NAME in a bucket, /@labels/NAME links', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'lab' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'lab', VersioningConfiguration: { Status: 'Enabled' } }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'lab', Key: 'q4/train.csv', Body: 'v1' }))
  const at = Date.now()
  await nextSecond()
  await env.raw.send(new PutObjectCommand({ Bucket: 'lab', Key: 'q4/train.csv', Body: 'v2!' }))
  const label: LabelInfo = { name: 'train-v1', bucket: 'lab', prefix: 'q4/', spec: { kind: 'at', t: at } }
  const engine = new Engine(env.services().s3, {
    settleMarginMs: 2000, liveTtlMs: 1000, labels: { resolve: async name => name === label.name ? label : undefined }
  })
  const tree = treeOf(engine, { labels: [label] })
  const { names, lookup } = byPath(tree)
  t.same(await names('/'), ['@labels', 'lab'])
  t.same(await names('/lab'), ['@latest', '@train-v1'])
  t.same(await names('/@labels'), ['train-v1'])
  t.same(await lookup('/@labels/train-v1'), { kind: 'link', name: 'train-v1', target: `../lab/@${formatInstant(at)}/q4`, mtime: (await lookup('/')).mtime },
    'a link to the view')
  t.same(await names('/lab/@train-v1'), ['train.csv'], "the label's view is rooted at its path")
  t.equal(size(await lookup('/lab/@train-v1/train.csv')), 2, 'at its time')
  await rejectsWith(t, lookup('/@labels/nope'), 'NotFound', 'an unknown label link')
})
