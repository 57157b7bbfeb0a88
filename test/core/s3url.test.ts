import t from 'tap'
import { dirPrefix, parseTarget } from '../../src/core/s3url.js'

t.test('targets', async t => {
  t.same(parseTarget('s3://sales/q4/train.csv@2022-12-06'), { bucket: 'sales', key: 'q4/train.csv', spec: '2022-12-06' })
  t.same(parseTarget('s3://sales@latest'), { bucket: 'sales', key: '', spec: 'latest' })
  t.same(parseTarget('sales/a//b'), { bucket: 'sales', key: 'a//b', spec: undefined })
  t.same(parseTarget('s3://sales/user@example.com/x.csv'), { bucket: 'sales', key: 'user@example.com/x.csv', spec: undefined },
    'an @ followed by a slash is part of the key')
  t.same(parseTarget('s3://sales/dir/'), { bucket: 'sales', key: 'dir/', spec: undefined })
  t.throws(() => parseTarget('s3://Bad_Bucket/x'), /not a valid bucket name/)
  t.throws(() => parseTarget('s3:///x'), /names no bucket/)
  t.throws(() => parseTarget('s3://sales/x@'), /no time after it/)
  t.equal(dirPrefix(''), '')
  t.equal(dirPrefix('a'), 'a/')
  t.equal(dirPrefix('a/'), 'a/')
})
