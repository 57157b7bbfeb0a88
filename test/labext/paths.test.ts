// Drive paths -> S3 URLs through the gateway (pure).
import t from 'tap'
import { s3UrlOf } from '../../src/labext/src/paths.js'

t.test('a file, a folder and a view root, in the gateway\'s canonical naming', async t => {
  t.equal(s3UrlOf('sales/@2022-12-06/q4/train.csv', false, '2022-12-06T00:00:00Z'), 's3://sales/@2022-12-06T00:00:00Z/q4/train.csv')
  t.equal(s3UrlOf('sales/@2022-12-06/q4', true, '2022-12-06T00:00:00Z'), 's3://sales/@2022-12-06T00:00:00Z/q4/')
  t.equal(s3UrlOf('sales/@train-v3', true, 'train-v3'), 's3://sales/@train-v3/')
  t.equal(s3UrlOf('sales/@latest/a.txt', false), 's3://sales/@latest/a.txt', 'the path\'s own spec without a canonical one')
})

t.test('no URL outside a view', async t => {
  t.equal(s3UrlOf('', true), undefined)
  t.equal(s3UrlOf('sales', true), undefined)
})
