// The FUSE edge without a mount: errno mapping, deadlines, and stat attributes (pure units).
import t from 'tap'
import { streamLog } from '../../src/config/log.js'
import { InfinError, type ErrorCode } from '../../src/core/errors.js'
import type { Version } from '../../src/core/versions.js'
import { toStat } from '../../src/fs/attrs.js'
import { errnoOf, ERRNO } from '../../src/fs/errno.js'
import { runner } from '../../src/fs/fuse/edge.js'

t.test('errors map to errno once, and the unexpected ones are logged', async t => {
  const cases: Array<[ErrorCode, number, boolean]> = [
    ['NotFound', ERRNO.ENOENT, false], ['BadSpec', ERRNO.ENOENT, true], ['FutureTime', ERRNO.ENOENT, true],
    ['NotVersioned', ERRNO.ENOENT, true], ['ReadOnly', ERRNO.EROFS, false], ['Unavailable', ERRNO.EIO, true],
    ['AccessDenied', ERRNO.EACCES, true], ['Corrupt', ERRNO.EIO, true], ['Conflict', ERRNO.EBUSY, true],
    ['TooLarge', ERRNO.EFBIG, true], ['Usage', ERRNO.EINVAL, true]
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

t.test('work done at once is answered before run returns, and its throw is mapped like a rejection', async t => {
  const lines: string[] = []
  const run = runner(streamLog(l => lines.push(l)), 50)
  let got: [number, unknown] | undefined
  run('read', '/b/@latest/f', () => 4096, (e, v) => { got = [e, v] })
  t.same(got, [0, 4096], 'answered at once')
  run('read', '/b/@latest/f', () => { throw new InfinError('Unavailable', 'S3 down') }, e => { got = [e, undefined] })
  t.same(got, [ERRNO.EIO, undefined], 'a throw is an errno at once')
  t.match(lines.join(''), /read \/b\/@latest\/f: S3 down/)
  run('read', '/b/@latest/f', () => { throw new InfinError('NotFound', 'gone') }, e => { got = [e, undefined] })
  t.same(got, [ERRNO.ENOENT, undefined])
})

t.test('tree nodes become read-only stat attributes owned by the mounting user', async t => {
  const owner = { uid: 1234, gid: 5678 }
  const version: Version = { key: 'k', versionId: 'v', lastModified: 1_000, size: 5, etag: '"e"', deleteMarker: false, isLatest: true }
  const dir = toStat({ kind: 'dir', name: 'd', mtime: 2_000 }, owner)
  t.match(dir, { mode: 0o40555, uid: 1234, gid: 5678, nlink: 2, mtime: 2_000 }, 'directories are 0555')
  const file = toStat({ kind: 'file', name: 'f', size: 5, mtime: 1_234, version }, owner)
  t.match(file, { mode: 0o100444, size: 5, nlink: 1, mtime: 1_234, blocks: 1 }, 'files are 0444 with the version size')
  const link = toStat({ kind: 'link', name: 'l', target: '../b/@x/é', mtime: 3_000 }, owner)
  t.match(link, { mode: 0o120777, size: Buffer.byteLength('../b/@x/é') }, 'a link is as long as its target in bytes')
})
