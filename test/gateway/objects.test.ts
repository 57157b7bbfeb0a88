// HeadObject and GetObject through the gateway of a real `infinstor serve`:
// headers, ranges at the edges, conditional requests, versionId, views in
// both naming forms, and the S3 errors for what is not there.
import { CreateBucketCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { rawS3, serveGateway, xmlField } from '../helpers/gateway.js'
import { nextSecond } from '../helpers/history.js'
import { s3env } from '../helpers/s3env.js'

const BODY0 = randomBytes(1000)
const BODY1 = randomBytes(3000)

t.test('objects through the gateway', async t => {
  const env = await s3env(t)
  const s3 = env.raw
  await s3.send(new CreateBucketCommand({ Bucket: 'obj' }))
  await s3.send(new PutBucketVersioningCommand({ Bucket: 'obj', VersioningConfiguration: { Status: 'Enabled' } }))
  await nextSecond()
  await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'r.bin', Body: BODY0 }))
  await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'empty', Body: Buffer.alloc(0) }))
  await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'd/page.html', Body: '<script>alert(1)</script>' }))
  const t0 = Date.now()
  await nextSecond()
  await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'r.bin', Body: BODY1 }))
  await s3.send(new PutObjectCommand({ Bucket: 'obj', Key: 'later.txt', Body: 'later' }))
  const t1 = Date.now()
  await nextSecond()
  const versions = (await s3.send(new ListObjectVersionsCommand({ Bucket: 'obj', Prefix: 'r.bin' }))).Versions ?? []
  const v0 = versions.find(v => v.Size === 1000)
  const v1 = versions.find(v => v.Size === 3000)
  const T0 = formatInstant(t0)
  const gw = await serveGateway(t, env)
  const get = async (path: string, headers: Record<string, string> = {}, query: Record<string, string> = {}, method = 'GET'):
  Promise<Awaited<ReturnType<typeof rawS3>>> => await rawS3(gw.url, gw.creds, { method, path, headers, query })

  await t.test('headers, both naming forms', async t => {
    for (const path of [`/obj/%40${T0}/r.bin`, `/obj/@${T0}/r.bin`, `/%40${T0}/obj/r.bin`, `/@tm${T0.replace(/[-:TZ]/g, '').slice(0, 14)}/obj/r.bin`]) {
      for (const method of ['GET', 'HEAD']) {
        const res = await get(path, {}, {}, method)
        t.equal(res.status, 200, `${method} ${path}`)
        t.equal(res.headers['content-length'], '1000')
        t.equal(res.headers.etag, v0?.ETag)
        t.equal(res.headers['last-modified'], v0?.LastModified?.toUTCString(), 'Last-Modified in RFC 1123')
        t.equal(res.headers['accept-ranges'], 'bytes')
        t.equal(res.headers['x-amz-version-id'], v0?.VersionId)
        t.ok(method === 'HEAD' ? res.body.length === 0 : res.body.equals(BODY0), 'the bytes of the version at T0')
      }
    }
    const latest = await get('/obj/r.bin')
    t.ok(latest.body.equals(BODY1), 'no view: latest')
    t.equal((await get(`/obj/@${formatInstant(t1)}/r.bin`)).headers['x-amz-version-id'], v1?.VersionId)
    const html = await get('/obj/d/page.html')
    t.match(html.headers['content-security-policy'], /sandbox/, 'bucket bytes cannot act as the gateway\'s origin')
    t.equal(html.headers['x-content-type-options'], 'nosniff')
    const override = await get('/obj/r.bin', {}, { 'response-content-type': 'text/x-test', 'response-content-disposition': 'attachment' })
    t.same([override.headers['content-type'], override.headers['content-disposition']], ['text/x-test', 'attachment'], 'response-* overrides')
  })

  await t.test('ranges at the edges', async t => {
    const cases: Array<[string, number, number, number]> = [
      ['bytes=0-0', 206, 0, 1], ['bytes=0-999', 206, 0, 1000], ['bytes=999-999', 206, 999, 1000], ['bytes=999-', 206, 999, 1000],
      ['bytes=998-5000', 206, 998, 1000], ['bytes=-1', 206, 999, 1000], ['bytes=-1000', 206, 0, 1000], ['bytes=-5000', 206, 0, 1000],
      ['bytes=0-', 206, 0, 1000], ['bytes=300-700', 206, 300, 701], ['bytes=5-3', 200, 0, 1000], ['bytes=0-1,5-6', 200, 0, 1000],
      ['items=0-5', 200, 0, 1000]]
    for (const [range, status, from, to] of cases) {
      for (const method of ['GET', 'HEAD']) {
        const res = await get(`/obj/@${T0}/r.bin`, { Range: range }, {}, method)
        t.equal(res.status, status, `${method} ${range}`)
        t.equal(res.headers['content-length'], String(to - from))
        if (status === 206) t.equal(res.headers['content-range'], `bytes ${from}-${to - 1}/1000`)
        if (method === 'GET') t.ok(res.body.equals(BODY0.subarray(from, to)), `${range}: the right bytes`)
      }
    }
    for (const [path, range] of [[`/obj/@${T0}/r.bin`, 'bytes=1000-'], [`/obj/@${T0}/r.bin`, 'bytes=1000-2000'], [`/obj/@${T0}/r.bin`, 'bytes=-0'],
      ['/obj/empty', 'bytes=0-'], ['/obj/empty', 'bytes=-1'], ['/obj/empty', 'bytes=0-0']]) {
      const res = await get(path, { Range: range })
      t.equal(res.status, 416, `${path} ${range}`)
      t.equal(xmlField(res.body, 'Code'), 'InvalidRange')
      t.match(res.headers['content-range'], /^bytes \*\/\d+$/)
    }
    const empty = await get('/obj/empty')
    t.same([empty.status, empty.body.length, empty.headers['content-length']], [200, 0, '0'], 'an empty object')
  })

  await t.test('conditional requests', async t => {
    const etag = v0?.ETag as string
    const lm = v0?.LastModified as Date
    const before = new Date(lm.getTime() - 60_000).toUTCString()
    const after = new Date(lm.getTime() + 60_000).toUTCString()
    const cases: Array<[Record<string, string>, number]> = [
      [{ 'If-Match': etag }, 200], [{ 'If-Match': etag.replace(/"/g, '') }, 200], [{ 'If-Match': '"nope"' }, 412], [{ 'If-Match': '*' }, 200],
      [{ 'If-Match': `"x", ${etag}` }, 200],
      [{ 'If-None-Match': etag }, 304], [{ 'If-None-Match': '"nope"' }, 200], [{ 'If-None-Match': '*' }, 304],
      [{ 'If-Modified-Since': before }, 200], [{ 'If-Modified-Since': lm.toUTCString() }, 304], [{ 'If-Modified-Since': after }, 304],
      [{ 'If-Unmodified-Since': before }, 412], [{ 'If-Unmodified-Since': lm.toUTCString() }, 200], [{ 'If-Unmodified-Since': after }, 200],
      [{ 'If-Match': etag, 'If-Unmodified-Since': before }, 200], [{ 'If-None-Match': '"nope"', 'If-Modified-Since': after }, 200],
      [{ 'If-Modified-Since': 'not a date' }, 200], [{ 'If-Match': etag, 'If-None-Match': etag }, 304]]
    for (const [headers, status] of cases) {
      for (const method of ['GET', 'HEAD']) {
        const res = await get(`/obj/@${T0}/r.bin`, headers, {}, method)
        t.equal(res.status, status, `${method} ${JSON.stringify(headers)}`)
        if (status === 304) t.same([res.body.length, res.headers.etag], [0, etag], '304 has no body, and the ETag')
        if (status === 412 && method === 'GET') t.equal(xmlField(res.body, 'Code'), 'PreconditionFailed')
      }
    }
  })

  await t.test('versionId only when it names the version in effect', async t => {
    t.equal((await get(`/obj/@${T0}/r.bin`, {}, { versionId: v0?.VersionId as string })).status, 200)
    const other = await get(`/obj/@${T0}/r.bin`, {}, { versionId: v1?.VersionId as string })
    t.same([other.status, xmlField(other.body, 'Code')], [404, 'NoSuchVersion'], 'another version of the key is not in this view')
    t.equal((await get('/obj/r.bin', {}, { versionId: v1?.VersionId as string })).status, 200, 'latest\'s own version')
    t.equal((await get('/obj/r.bin', {}, { versionId: 'made-up' })).status, 404)
  })

  await t.test('what is not there', async t => {
    const cases: Array<[string, number, string]> = [
      ['/nobucket/x', 404, 'NoSuchBucket'], ['/obj/missing', 404, 'NoSuchKey'], [`/obj/@${T0}/later.txt`, 404, 'NoSuchKey'],
      [`/obj/@${T0}/`, 404, 'NoSuchKey'], [`/obj/@${T0}`, 404, 'NoSuchKey'], ['/obj/d', 404, 'NoSuchKey'], ['/obj/@no-such-label/r.bin', 404, 'NoSuchKey'],
      ['/obj/@2999-01-01/r.bin', 400, 'InvalidArgument'], ['/obj/@2022-02-30/r.bin', 400, 'InvalidArgument'], ['/@bad:spec/obj/r.bin', 400, 'InvalidArgument'],
      ['/obj/r.bin?acl', 501, 'NotImplemented'], ['/obj/%E0%A4%A/x', 400, 'InvalidURI']]
    for (const [path, status, code] of cases) {
      const [p, q] = path.split('?')
      const res = await get(p, {}, q === undefined ? {} : { [q]: '' })
      t.equal(res.status, status, path)
      t.equal(xmlField(res.body, 'Code'), code, path)
      t.equal(xmlField(res.body, 'RequestId'), res.headers['x-amz-request-id'], 'with the request id')
      const head = await get(p, {}, q === undefined ? {} : { [q]: '' }, 'HEAD')
      t.same([head.status, head.body.length], [status, 0], `HEAD ${path}: the status, no body`)
    }
  })

  await t.test('buckets', async t => {
    const list = await get('/')
    t.same((list.body.toString().match(/<Name>[^<]*<\/Name>/g) ?? []), ['<Name>obj</Name>'], 'ListBuckets')
    t.equal((await get('/', {}, { 'x-id': 'ListBuckets' })).status, 200, 'x-id is ignored')
    t.equal((await get(`/@${T0}/`)).status, 200, 'ListBuckets under a view prefix')
    const loc = await get('/obj', {}, { location: '' })
    t.match(loc.body.toString(), /<LocationConstraint xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"><\/LocationConstraint>/)
    t.equal((await get('/obj', {}, {}, 'HEAD')).status, 200, 'HeadBucket')
    t.equal((await get(`/@${T0}/obj`, {}, {}, 'HEAD')).status, 200, 'HeadBucket under a view prefix')
    t.equal((await get('/nobucket', {}, {}, 'HEAD')).status, 404)
  })
})
