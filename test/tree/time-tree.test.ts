// The file-system layer without FUSE: paths, attributes, names, reads,
// errors, caching and the label hook, against a real S3 (moto).
import { PutBucketVersioningCommand, PutObjectCommand, CreateBucketCommand } from '@aws-sdk/client-s3'
import t, { type Test } from 'tap'
import { InfinError, type ErrorCode } from '../../src/core/errors.js'
import { formatInstant } from '../../src/core/timespec.js'
import type { Version } from '../../src/core/versions.js'
import { versionMtime } from '../../src/fs/attrs.js'
import { errnoOf, ERRNO } from '../../src/fs/errno.js'
import { runner } from '../../src/fs/fuse/edge.js'
import type { LabelInfo } from '../../src/tree/label-links.js'
import { streamLog } from '../../src/config/log.js'
import { parseFsPath } from '../../src/tree/paths.js'
import { DirectReader } from '../../src/reader/direct.js'
import { TimeTree } from '../../src/tree/time-tree.js'
import type { Engine } from '../../src/engine/engine.js'
import { s3env } from '../helpers/s3env.js'

const owner = { uid: 1234, gid: 5678 }

function treeOf (engine: Engine, opts: { buckets?: string[], labels?: LabelInfo[], lines?: string[], attrTimeoutMs?: number } = {}): TimeTree {
  const lines = opts.lines ?? []
  return new TimeTree(engine, new DirectReader(engine.read.bind(engine), { deadlineMs: 5000 }), {
    buckets: opts.buckets,
    owner,
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
  t.same(parseFsPath('/'), { kind: 'root' })
  t.same(parseFsPath('/@labels'), { kind: 'labels' })
  t.same(parseFsPath('/@labels/v3'), { kind: 'label', name: 'v3' })
  t.same(parseFsPath('/@labels/v3/x'), { kind: 'none' })
  t.same(parseFsPath('/sales'), { kind: 'bucket', bucket: 'sales' })
  t.same(parseFsPath('/sales/q4'), { kind: 'none' }, 'a bucket holds only @views')
  t.same(parseFsPath('/sales/@'), { kind: 'none' })
  t.same(parseFsPath('/sales/@2022-12-06..2022-12-07/q4/a.csv'),
    { kind: 'view', bucket: 'sales', spec: '2022-12-06..2022-12-07', names: ['q4', 'a.csv'] })
})

t.test('errors map to errno once, and the unexpected ones are logged', async t => {
  const cases: Array<[ErrorCode, number, boolean]> = [
    ['NotFound', ERRNO.ENOENT, false], ['BadSpec', ERRNO.ENOENT, true], ['FutureTime', ERRNO.ENOENT, true],
    ['NotVersioned', ERRNO.ENOENT, true], ['ReadOnly', ERRNO.EROFS, false], ['Unavailable', ERRNO.EIO, true],
    ['AccessDenied', ERRNO.EACCES, true], ['Corrupt', ERRNO.EIO, true]
  ]
  for (const [code, errno, logged] of cases) {
    const m = errnoOf(new InfinError(code, 'x', { cause: new Error('deeper') }))
    t.equal(m.errno, errno, `${code} -> ${errno}`)
    t.equal(m.why !== undefined, logged, `${code} ${logged ? 'is' : 'is not'} logged`)
  }
  t.match(errnoOf(new InfinError('Unavailable', 'S3 down', { cause: new Error('ECONNREFUSED') })).why, /S3 down; cause: Error: ECONNREFUSED/)
  t.match(errnoOf(new TypeError('bug')), { errno: ERRNO.EIO, why: /internal error: TypeError: bug/ })
})

t.test('an operation that never finishes is answered with EIO at its deadline', async t => {
  const lines: string[] = []
  const run = runner(streamLog(l => lines.push(l)), 50)
  const got = await new Promise<number>(resolve => { run('read', '/b/@latest/f', async () => await new Promise(() => {}), e => resolve(e)) })
  t.equal(got, ERRNO.EIO)
  t.match(lines.join(''), /read \/b\/@latest\/f: no answer within 50 ms/)
  const ok = await new Promise<[number, unknown]>(resolve => { run('getattr', '/', async () => 7, (e, v) => resolve([e, v])) })
  t.same(ok, [0, 7], 'a prompt answer passes through')
})

t.test('tree, attributes and bytes at two times; getattr costs no S3 request', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'tree' }))
  await env.raw.send(new CreateBucketCommand({ Bucket: 'other' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'tree', VersioningConfiguration: { Status: 'Enabled' } }))
  await nextSecond()
  for (let i = 0; i < 50; i++) await env.raw.send(new PutObjectCommand({ Bucket: 'tree', Key: `d/f${i}`, Body: `one ${i}` }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'tree', Key: 'a//b', Body: 'slashes' }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'tree', Key: 'x', Body: 'hidden file' }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'tree', Key: 'x/y', Body: 'y' }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'tree', Key: 'empty/', Body: '' }))
  const t1 = formatInstant(Date.now())
  await nextSecond()
  await env.raw.send(new PutObjectCommand({ Bucket: 'tree', Key: 'd/f0', Body: 'two, longer' }))
  await nextSecond()
  await new Promise(resolve => setTimeout(resolve, 2600)) // both times settled
  const engine = env.engine({ settleMarginMs: 1000 })
  const lines: string[] = []
  const tree = treeOf(engine, { lines })

  t.same(await tree.readdir('/'), ['other', 'tree'], 'the root lists the buckets')
  t.same(await tree.readdir('/tree'), ['@latest'], 'a bucket lists @latest (and labels, when wired in)')
  t.same(await tree.readdir(`/tree/@${t1}`), ['a', 'd', 'empty', 'x'])
  t.same(await tree.readdir(`/tree/@${t1}/a`), ['／'], 'an empty segment gets a stand-in name')
  t.same(await tree.readdir(`/tree/@${t1}/empty`), [], "a 'dir/' marker is an empty directory")
  t.same(await tree.readdir(`/tree/@${t1}/x`), ['y'])
  t.match(lines.join(''), /s3:\/\/tree\/x is hidden at .*: a directory of the same name wins/, 'the hidden file is logged')

  const dir = await tree.getattr(`/tree/@${t1}/d`)
  t.equal(dir.mode, 0o40555, 'directories are 0555')
  t.same([dir.uid, dir.gid], [1234, 5678], 'owned by the mounting user')
  await tree.readdir(`/tree/@${t1}/d`)
  await tree.readdir('/tree/@latest/d')
  const before = new Map(engine.s3.requests)
  const f0 = await tree.getattr(`/tree/@${t1}/d/f0`)
  for (let i = 1; i < 50; i++) await tree.getattr(`/tree/@${t1}/d/f${i}`)
  const now0 = await tree.getattr('/tree/@latest/d/f0')
  t.same(engine.s3.requests, before, '51 getattrs after a listing cost no S3 request')
  for (let i = 1; i <= 10; i++) await tree.readdir(`/tree/@${formatInstant(Date.parse(t1) + i * 50)}/d`)
  t.same(engine.s3.requests, before, 'the same folder at ten more settled times costs no S3 request')
  t.equal(f0.mode, 0o100444, 'files are 0444')
  t.equal(f0.size, 5)
  t.equal(now0.size, 11)
  t.ok(now0.mtime > f0.mtime, 'mtime is the version time')
  const v0 = (await engine.readDir(await engine.view('tree', t1), 'd/')).files.find(f => f.key === 'd/f0')?.version as Version
  t.equal(Math.floor(f0.mtime / 1000), v0.lastModified / 1000, 'to the second')
  const sameSecond = versionMtime({ ...v0, versionId: 'another', etag: '"other"' })
  t.not(sameSecond, f0.mtime, 'another version of the same second gets another mtime (so the page cache notices)')
  t.equal(Math.floor(sameSecond / 1000), v0.lastModified / 1000, 'in the same second')

  const read = async (path: string): Promise<string> => {
    const fd = await tree.openFile(path, 0)
    const parts: Buffer[] = []
    for (let off = 0; ; off += 4) {
      const b = await tree.read(fd, off, 4)
      if (b.length === 0) break
      parts.push(b)
    }
    tree.release(fd)
    return Buffer.concat(parts).toString()
  }
  t.equal(await read(`/tree/@${t1}/d/f0`), 'one 0', 'the old bytes at the old time')
  t.equal(await read('/tree/@latest/d/f0'), 'two, longer')
  t.equal(await read(`/tree/@${t1}/a/／/b`), 'slashes')
  t.equal(tree.openFiles, 0, 'released handles are gone')

  await rejectsWith(t, tree.openFile('/tree/@latest/d/f0', 1), 'ReadOnly', 'open for writing')
  await rejectsWith(t, tree.openFile('/tree/@latest/d/f0', 2), 'ReadOnly', 'open read-write')
  await rejectsWith(t, tree.access('/tree/@latest/d/f0', 2), 'ReadOnly', 'access(W_OK)')
  await rejectsWith(t, tree.getattr('/tree/@latest/d/nope'), 'NotFound', 'an unknown key')
  await rejectsWith(t, tree.getattr('/tree/@latest/d/f0/deeper'), 'NotFound', 'a path through a file')
  await rejectsWith(t, tree.getattr('/tree/@2022-13-01'), 'BadSpec', 'a bad spec')
  await rejectsWith(t, tree.getattr('/tree/@2999-01-01'), 'FutureTime', 'a future time')
  await rejectsWith(t, tree.getattr('/tree/@some-label'), 'NotFound', 'an unknown label')
  await rejectsWith(t, tree.getattr('/nobucket'), 'NotFound', 'an unknown bucket')
  await rejectsWith(t, tree.getattr('/tree/q4'), 'NotFound', 'a bucket entry without @')
  await rejectsWith(t, tree.getattr('/@labels'), 'NotFound', 'no @labels without a label index')

  const only = treeOf(engine, { buckets: ['tree'] })
  t.same(await only.readdir('/'), ['tree'], '--bucket limits the root')
  await rejectsWith(t, only.getattr('/other'), 'NotFound', 'a bucket not asked for')
})

t.test('an open file in @latest reads the version whose size the kernel was told', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'pin' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'pin', VersioningConfiguration: { Status: 'Enabled' } }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'pin', Key: 'f', Body: 'first' }))
  // The kernel's trust in attributes lasts 5 s here: long enough for the steps below on a busy machine.
  const tree = treeOf(env.engine({ liveTtlMs: 200 }), { attrTimeoutMs: 5000 })
  t.equal((await tree.getattr('/pin/@latest/f')).size, 5)
  await nextSecond()
  await env.raw.send(new PutObjectCommand({ Bucket: 'pin', Key: 'f', Body: 'second, longer' }))
  await new Promise(resolve => setTimeout(resolve, 700))
  const fd = await tree.openFile('/pin/@latest/f', 0)
  t.equal((await tree.read(fd, 0, 100)).toString(), 'first', 'the pinned version, not a torn mix of sizes')
  tree.release(fd)
  t.equal((await tree.getattr('/pin/@latest/f')).size, 14, 'a new getattr sees the new version')
  const fd2 = await tree.openFile('/pin/@latest/f', 0)
  t.equal((await tree.read(fd2, 0, 100)).toString(), 'second, longer', 'and the next open reads it')
  tree.release(fd2)
  await nextSecond()
  await env.raw.send(new PutObjectCommand({ Bucket: 'pin', Key: 'f', Body: 'third' }))
  await new Promise(resolve => setTimeout(resolve, 5100))
  const fd3 = await tree.openFile('/pin/@latest/f', 0)
  t.equal((await tree.read(fd3, 0, 100)).toString(), 'third', 'once the kernel no longer trusts the old size, an open reads the newest')
  tree.release(fd3)
  const fd4 = await tree.openFile('/pin/@latest/f', 0)
  t.equal((await tree.getattr('/pin/@latest/f')).size, 5)
  t.equal((await tree.read(fd4, 0, 100)).toString(), 'third', 'attributes answered between open and first read are what it reads')
  tree.release(fd4)
})

t.test('the label hook: @NAME in a bucket, /@labels/NAME links', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'lab' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'lab', VersioningConfiguration: { Status: 'Enabled' } }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'lab', Key: 'q4/train.csv', Body: 'v1' }))
  const at = Date.now()
  await nextSecond()
  await env.raw.send(new PutObjectCommand({ Bucket: 'lab', Key: 'q4/train.csv', Body: 'v2!' }))
  const engine = env.engine()
  const label: LabelInfo = { name: 'train-v1', bucket: 'lab', prefix: 'q4/', spec: { kind: 'at', t: at } }
  engine.labels = { resolve: async name => name === label.name ? label : undefined }
  const tree = treeOf(engine, { labels: [label] })
  t.same(await tree.readdir('/'), ['@labels', 'lab'])
  t.same(await tree.readdir('/lab'), ['@latest', '@train-v1'])
  t.same(await tree.readdir('/@labels'), ['train-v1'])
  t.equal(await tree.readlink('/@labels/train-v1'), `../lab/@${formatInstant(at)}/q4`)
  t.equal((await tree.getattr('/@labels/train-v1')).mode & 0o170000, 0o120000, 'a symlink')
  t.same(await tree.readdir('/lab/@train-v1'), ['train.csv'], "the label's view is rooted at its path")
  t.equal((await tree.getattr('/lab/@train-v1/train.csv')).size, 2, 'at its time')
  await rejectsWith(t, tree.readlink('/@labels/nope'), 'NotFound', 'an unknown label link')
})
