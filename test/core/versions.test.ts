import t from 'tap'
import { compareKeys, diffHistories, orderHistory, select, versionAt, type ListedVersion, type Version } from '../../src/core/versions.js'

let pos = 0
const v = (id: string, lm: number, extra: Partial<ListedVersion> = {}): ListedVersion =>
  ({ key: 'k', versionId: id, lastModified: lm, size: 1, etag: id, deleteMarker: false, isLatest: false, position: pos++, ...extra })

t.test('history order: LastModified, then IsLatest, then listing order; never version id', async t => {
  const h = orderHistory([v('zzz', 1000), v('aaa', 3000), v('dm', 2000, { deleteMarker: true }), v('mmm', 2000)])
  t.same(h.map(x => x.versionId), ['aaa', 'dm', 'mmm', 'zzz'], 'ties keep listing order')
  const moto = orderHistory([v('v2', 5000), v('v1', 5000), v('dm', 5000, { deleteMarker: true, isLatest: true })])
  t.same(moto.map(x => x.versionId), ['dm', 'v2', 'v1'], 'the latest flag wins a tie')
})

t.test('select: snapshots and slices', async t => {
  const h: Version[] = orderHistory([v('v3', 4000), v('dm', 3000, { deleteMarker: true }), v('v2', 2000), v('null', 1000)])
  t.equal(versionAt(h, 500), undefined)
  t.equal(select(h, { kind: 'at', t: 1000 })?.versionId, 'null', 'a null version counts')
  t.equal(select(h, { kind: 'at', t: 2500 })?.versionId, 'v2')
  t.equal(select(h, { kind: 'at', t: 3000 }), undefined, 'a delete marker hides the key')
  t.equal(select(h, { kind: 'at', t: 4000 })?.versionId, 'v3')
  t.equal(select(h, { kind: 'latest' })?.versionId, 'v3')
  t.equal(select(h, { kind: 'slice', from: 1000, to: 2000 })?.versionId, 'v2', 'written after the start')
  t.equal(select(h, { kind: 'slice', from: 2000, to: 2500 }), undefined, 'not written in the window')
  t.equal(select(h, { kind: 'slice', from: 1000, to: 3500 }), undefined, 'not live at the end')
})

t.test('diff', async t => {
  const hs = new Map<string, Version[]>([
    ['a', orderHistory([v('a2', 3000, { key: 'a' }), v('a1', 1000, { key: 'a' })])],
    ['b', orderHistory([v('b1', 2000, { key: 'b' })])],
    ['c', orderHistory([v('cdm', 2500, { key: 'c', deleteMarker: true }), v('c1', 500, { key: 'c' })])],
    ['d', orderHistory([v('d1', 100, { key: 'd' })])]
  ])
  const changes = diffHistories(hs, { kind: 'at', t: 1500 }, { kind: 'at', t: 3000 })
  t.same(changes.map(c => [c.key, c.kind]), [['a', 'modified'], ['b', 'added'], ['c', 'deleted']])
})

t.test('keys compare by UTF-8 bytes, as S3 lists them', async t => {
  t.ok(compareKeys('a-/', 'a/') < 0)
  t.ok(compareKeys('\uffff', '\u{1F600}') < 0, 'a BMP char above surrogates sorts before an astral one')
  t.equal(compareKeys('x', 'x'), 0)
})
