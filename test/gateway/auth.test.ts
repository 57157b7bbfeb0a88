// Who may use the gateway: SigV4 in headers and presigned URLs (checked
// against the AWS SDK's own signer), clock skew, expiry, payload hashes,
// tampering, unknown and revoked keys, keys created while it runs, and
// every write refused.
import {
  CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand,
  ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client
} from '@aws-sdk/client-s3'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { promisify } from 'node:util'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { presignUrl, rawS3, serveGateway, xmlField, type RawRequest } from '../helpers/gateway.js'
import { nextSecond } from '../helpers/history.js'
import { s3env } from '../helpers/s3env.js'

const sha = (s: string): string => createHash('sha256').update(s).digest('hex')

t.test('authentication and writes', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'auth' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'auth', VersioningConfiguration: { Status: 'Enabled' } }))
  await nextSecond()
  await env.raw.send(new PutObjectCommand({ Bucket: 'auth', Key: 'f.txt', Body: 'hello' }))
  const T = formatInstant(Date.now())
  await nextSecond()
  const gw = await serveGateway(t, env)
  const send = async (r: Partial<RawRequest>, creds = gw.creds): Promise<{ status: number, code?: string, headers: Record<string, unknown>, body: Buffer }> => {
    const res = await rawS3(gw.url, creds, { path: `/auth/@${T}/f.txt`, ...r })
    return { ...res, code: xmlField(res.body, 'Code') }
  }

  await t.test('good signatures', async t => {
    for (const region of ['us-east-1', 'eu-west-3', 'ap-southeast-2', 'anything-at-all']) {
      const res = await send({ region })
      t.same([res.status, res.body.toString()], [200, 'hello'], `signed for ${region}`)
    }
    const strict = `/auth/%40${T.replace(/:/g, '%3A')}/f.txt`
    t.equal((await send({ path: `/auth/@${T}/f.txt`, signPath: strict })).status, 200, '@ and : signed encoded, sent literally')
    t.equal((await send({ path: strict, signPath: `/auth/@${T}/f.txt` })).status, 200, '@ and : signed literally, sent encoded')
    t.equal((await send({ path: `/auth/@${T}/f.txt`, signPath: `/auth/@${T.replace(/:/g, '%3A')}/f.txt` })).status, 200, '@ signed literally, : encoded')
    t.equal((await send({ path: `/auth/%40${T.replace(/:/g, '%3A')}/f.txt` })).status, 200, 'colons encoded too')
    t.equal((await send({ signingDate: new Date(Date.now() - 14 * 60_000) })).status, 200, '14 minutes of skew is fine')
    t.equal((await send({ signingDate: new Date(Date.now() + 14 * 60_000) })).status, 200, 'either way')
    t.equal((await send({ headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } })).status, 200, 'UNSIGNED-PAYLOAD')
    t.equal((await send({ body: Buffer.from('abc') })).status, 200, 'a body with its hash')
    t.equal((await send({ presign: 60 })).status, 200, 'a presigned URL')
    t.equal((await send({ presign: 7 * 24 * 3600 })).status, 200, 'presigned for the longest S3 allows')
    const list = await send({ path: '/auth', query: { 'list-type': '2', prefix: `@${T}/`, 'encoding-type': 'url' } })
    t.equal(list.status, 200, 'a listing with query parameters')
  })

  await t.test('bad signatures', async t => {
    const cases: Array<[string, Partial<RawRequest>, number, string, Parameters<typeof send>[1]?]> = [
      ['wrong secret', {}, 403, 'SignatureDoesNotMatch', { ...gw.creds, secretAccessKey: gw.creds.secretAccessKey + 'x' }],
      ['unknown key id', {}, 403, 'InvalidAccessKeyId', { accessKeyId: 'ISNOSUCHKEYATALL000', secretAccessKey: 'x' }],
      ['anonymous', { anonymous: true }, 403, 'AccessDenied'],
      ['another path', { signPath: '/auth/f.txt' }, 403, 'SignatureDoesNotMatch'],
      ['a query parameter added', { extraQuery: { versionId: 'x' } }, 403, 'SignatureDoesNotMatch'],
      ['a signed header changed', { headers: { range: 'bytes=0-1' }, sendHeaders: { range: 'bytes=0-3' } }, 403, 'SignatureDoesNotMatch'],
      ['16 minutes slow', { signingDate: new Date(Date.now() - 16 * 60_000) }, 403, 'RequestTimeTooSkewed'],
      ['16 minutes fast', { signingDate: new Date(Date.now() + 16 * 60_000) }, 403, 'RequestTimeTooSkewed'],
      ['an expired presigned URL', { presign: 60, signingDate: new Date(Date.now() - 120_000) }, 403, 'AccessDenied'],
      ['a presigned URL from the future', { presign: 60, signingDate: new Date(Date.now() + 20 * 60_000) }, 403, 'AccessDenied'],
      ['presigned beyond 7 days', { presign: 60, extraQuery: { 'X-Amz-Expires': String(7 * 24 * 3600 + 1) } }, 403, 'AccessDenied'],
      ['a payload hash of another body', { headers: { 'x-amz-content-sha256': sha('abc') } }, 400, 'XAmzContentSHA256Mismatch'],
      ['a payload hash that is no hash', { headers: { 'x-amz-content-sha256': 'xyz' } }, 400, 'InvalidArgument'],
      ['SigV2', { anonymous: true, headers: { Authorization: 'AWS ISX:c2lnbmF0dXJl' } }, 400, 'InvalidRequest'],
      ['a malformed credential', { anonymous: true, headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=x/y, SignedHeaders=host, Signature=00' } }, 400, 'AuthorizationHeaderMalformed']
    ]
    for (const [what, r, status, code, creds] of cases) {
      const res = await send(r, creds)
      t.same([res.status, res.code], [status, code], what)
      t.notMatch(res.body.toString(), gw.creds.secretAccessKey, 'the secret is never echoed')
    }
    const tampered = await send({ presign: 60, extraQuery: { 'X-Amz-Expires': '600' } })
    t.equal(tampered.status, 403, 'a presigned URL whose expiry was changed')
  })

  await t.test('keys come and go while the gateway runs', async t => {
    const made = await env.cli(['keys', 'create', '--name', 'notebook', '--json'], gw.env)
    t.equal(made.code, 0, made.stderr)
    const key = JSON.parse(made.stdout) as { accessKeyId: string, secretAccessKey: string, name: string }
    t.same(Object.keys(key).sort(), ['accessKeyId', 'name', 'secretAccessKey'])
    t.equal(((await stat(gw.keys.path)).mode & 0o777), 0o600, 'the key file is 0600')
    t.equal((await send({}, key)).status, 200, 'a new key works at once, no restart')
    const ls = await env.cli(['keys', 'ls'], gw.env)
    t.match(ls.stdout, key.accessKeyId)
    t.match(ls.stdout, 'notebook')
    t.notMatch(ls.stdout, key.secretAccessKey, 'ls shows no secret')
    const lsJson = JSON.parse((await env.cli(['keys', 'ls', '--json'], gw.env)).stdout) as Array<Record<string, string>>
    t.same(lsJson.map(k => k.name), ['tests', 'notebook'])
    t.notOk(lsJson.some(k => 'secretAccessKey' in k))
    t.equal((await env.cli(['keys', 'create', '--name', 'notebook'], gw.env)).code, 8, 'a taken name is a conflict')
    const human = await env.cli(['keys', 'create'], gw.env)
    t.match(human.stdout, /access key id: +IS[A-Z2-7]{18}\nsecret access key: +\S{40}\n/)
    t.equal((await env.cli(['keys', 'rm', 'notebook'], gw.env)).code, 0)
    t.equal((await send({}, key)).code, 'InvalidAccessKeyId', 'a removed key stops working at once')
    t.equal((await env.cli(['keys', 'rm', 'notebook'], gw.env)).code, 3, 'removing it twice: not found')
    t.equal((await env.cli(['keys', 'frob'], gw.env)).code, 2)
  })

  await t.test('every write is refused, and nothing changes', async t => {
    const before = (await env.raw.send(new ListObjectVersionsCommand({ Bucket: 'auth' }))).Versions?.length
    for (const method of ['PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS']) {
      for (const path of [`/auth/@${T}/f.txt`, '/auth/f.txt', '/auth', '/auth/new.txt', '/newbucket']) {
        const res = await send({ method, path, body: Buffer.from('data') })
        t.same([res.status, res.code, res.headers.allow], [405, 'MethodNotAllowed', 'GET, HEAD'], `${method} ${path}`)
      }
      t.equal((await send({ method, path: '/auth/f.txt', anonymous: true })).status, 403, `an unsigned ${method} is denied first`)
    }
    const client = new S3Client({ endpoint: gw.url, forcePathStyle: true, region: 'us-east-1', credentials: gw.creds, maxAttempts: 1 })
    t.teardown(() => client.destroy())
    const writes = [
      new PutObjectCommand({ Bucket: 'auth', Key: 'f.txt', Body: 'overwrite' }),
      new PutObjectCommand({ Bucket: 'auth', Key: `@${T}/f.txt`, Body: 'x'.repeat(3 << 20) }),
      new DeleteObjectCommand({ Bucket: 'auth', Key: 'f.txt' }),
      new DeleteObjectsCommand({ Bucket: 'auth', Delete: { Objects: [{ Key: 'f.txt' }] } }),
      new CopyObjectCommand({ Bucket: 'auth', Key: 'copy.txt', CopySource: 'auth/f.txt' }),
      new CreateMultipartUploadCommand({ Bucket: 'auth', Key: 'big' }),
      new PutBucketVersioningCommand({ Bucket: 'auth', VersioningConfiguration: { Status: 'Suspended' } }),
      new CreateBucketCommand({ Bucket: 'made-through-gateway' }),
      new DeleteBucketCommand({ Bucket: 'auth' })
    ]
    for (const command of writes) {
      const err = await client.send(command as any).then(() => undefined, (e: Error) => e)
      t.equal(err?.name, 'MethodNotAllowed', command.constructor.name)
    }
    const after = await env.raw.send(new ListObjectVersionsCommand({ Bucket: 'auth' }))
    t.equal(after.Versions?.length, before, 'no version was added')
    t.equal(after.DeleteMarkers, undefined, 'nothing was deleted')
  })

  await t.test('curl with presigned URLs', async t => {
    const curl = async (url: string): Promise<string> => (await promisify(execFile)('curl', ['-sS', '--path-as-is', '-D', '-', url])).stdout
    const path = `/auth/%40${T.replace(/:/g, '%3A')}/f.txt`
    t.match(await curl(await presignUrl(gw.url, gw.creds, path, 60)), /^HTTP\/1.1 200[\s\S]*\r\n\r\nhello$/, 'a presigned URL reads the version at T')
    t.match(await curl(await presignUrl(gw.url, gw.creds, path, 60, new Date(Date.now() - 61_000))), /^HTTP\/1.1 403[\s\S]*Request has expired/, 'an expired one is refused')
    t.match(await curl(`${gw.url}${path}`), /^HTTP\/1.1 403[\s\S]*AccessDenied/, 'no signature: denied')
  })
})
