// The drive path <-> view mapping and mount paths (pure).
import t from 'tap'
import { mountPath, parseViewPath, specOf, viewPath } from '../../src/labext/src/paths.js'

t.test('parses the browser path into bucket, spec and the rest', async t => {
  t.same(parseViewPath(''), { bucket: '', rest: '' })
  t.same(parseViewPath('sales'), { bucket: 'sales', rest: '' })
  t.same(parseViewPath('sales/@latest'), { bucket: 'sales', spec: 'latest', rest: '' })
  t.same(parseViewPath('/sales/@2022-12-06T00:00:00Z/q4/x.csv'), { bucket: 'sales', spec: '2022-12-06T00:00:00Z', rest: 'q4/x.csv' })
  t.same(parseViewPath('sales/@2022-12-01T00:00:00Z..2022-12-06T00:00:00Z/q4/'),
    { bucket: 'sales', spec: '2022-12-01T00:00:00Z..2022-12-06T00:00:00Z', rest: 'q4' })
  t.same(parseViewPath('sales/plain'), { bucket: 'sales', rest: 'plain' }, 'no @: not a view')
  t.same(parseViewPath('b/@train/user@host/f'), { bucket: 'b', spec: 'train', rest: 'user@host/f' }, 'only the second segment is a spec')
})

t.test('builds view paths and round-trips them', async t => {
  t.equal(viewPath('sales', 'latest'), 'sales/@latest')
  t.equal(viewPath('sales', '2022-12-06T00:00:00Z', 'q4/a b'), 'sales/@2022-12-06T00:00:00Z/q4/a b')
  for (const p of ['sales/@latest', 'b/@A..B/x/y', 'b/@lbl/ünï/файл.txt']) {
    const v = parseViewPath(p)
    t.equal(viewPath(v.bucket, v.spec as string, v.rest), p)
  }
})

t.test('mount paths put the same tree under the mount point', async t => {
  t.equal(mountPath('/infinstor', 'sales/@latest/q4/x.csv'), '/infinstor/sales/@latest/q4/x.csv')
  t.equal(mountPath('/mnt/s3/', '/sales/@latest'), '/mnt/s3/sales/@latest')
  t.equal(mountPath('/infinstor', ''), '/infinstor')
  t.equal(mountPath('/', 'b/@latest'), '/b/@latest')
})

t.test('spec kinds for the toolbar; bad specs are undefined', async t => {
  t.same(specOf('latest'), { kind: 'latest' })
  t.same(specOf('tm20221206000000'), { kind: 'at', t: Date.UTC(2022, 11, 6) })
  t.equal(specOf('2022-12-01..2022-12-06')?.kind, 'slice')
  t.same(specOf('train-v1'), { kind: 'label', name: 'train-v1' })
  t.equal(specOf('2022-13-45'), undefined)
  t.equal(specOf('2022-12-06T10:00:00'), undefined, 'no zone: refused, as everywhere')
  t.equal(specOf(undefined), undefined)
})
