// The version list: which versions a time can show, which one a view shows, and the one before (pure).
import t from 'tap'
import type { LogEntry } from '../../src/labext/src/api.js'
import { previousOf, versionRows } from '../../src/labext/src/versions.js'

const v = (id: string, at: string, deleted = false): LogEntry =>
  ({ versionId: id, lastModified: at, size: deleted ? 0 : 10, etag: deleted ? '' : `"${id}"`, deleted })

// Newest first, as S3 lists them: v4 and v3 share a second (v4 listed first, so v4 is what that second shows).
const log = [
  v('v5', '2022-12-06T00:00:09Z'),
  v('dm', '2022-12-06T00:00:07Z', true),
  v('v4', '2022-12-06T00:00:05Z'),
  v('v3', '2022-12-06T00:00:05Z'),
  v('v2', '2022-12-06T00:00:03Z'),
  v('v1', '2022-12-06T00:00:01Z')
]
const t0 = Date.parse('2022-12-06T00:00:00Z')

t.test('a version is reachable by time unless deleted or written in the same second as a newer one', async t => {
  t.same(versionRows(log, Infinity).map(r => [r.versionId, r.reachable]),
    [['v5', true], ['dm', false], ['v4', true], ['v3', false], ['v2', true], ['v1', true]])
})

t.test('the version in effect is the newest at or before the view\'s time; a delete marker there shows nothing', async t => {
  const current = (t: number): string[] => versionRows(log, t).filter(r => r.current).map(r => r.versionId)
  t.same(current(Infinity), ['v5'])
  t.same(current(t0 + 8000), [], 'deleted at 7 s: the view shows no file')
  t.same(current(t0 + 5000), ['v4'], 'the same second shows the newer of the two')
  t.same(current(t0 + 4000), ['v2'])
  t.same(current(t0), [], 'before the first version')
})

t.test('the previous version skips delete markers and versions no time shows', async t => {
  const rows = versionRows(log, Infinity)
  t.equal(previousOf(rows, 0)?.versionId, 'v4', 'across the delete')
  t.equal(previousOf(rows, 2)?.versionId, 'v2', 'v3 shares v4\'s second')
  t.equal(previousOf(rows, 5), undefined)
})
