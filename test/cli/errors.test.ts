// Every bad input the CLI can meet gets a clear message and a meaningful exit code.
import { PutBucketVersioningCommand, PutObjectCommand, CreateBucketCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { freePort, startMoto } from '../../src/demo/moto.js'
import { s3env } from '../helpers/s3env.js'

t.test('bad input and odd keys', async t => {
  const env = await s3env(t)
  const put = async (bucket: string, key: string, body: string): Promise<void> => {
    await env.raw.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))
  }
  await env.raw.send(new CreateBucketCommand({ Bucket: 'plain' }))
  await put('plain', 'a.txt', 'unversioned')
  await env.raw.send(new CreateBucketCommand({ Bucket: 'odd' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'odd', VersioningConfiguration: { Status: 'Enabled' } }))
  const odd: Record<string, string> = {
    'with space.txt': 'space', 'ünïcödé/файл.txt': 'unicode', 'sym+bol%20=&~.dat': 'symbols',
    'a//b': 'double slash', 'dots/./x': 'dot', 'dots/../y': 'dotdot', 'trail/': '', 'k@v': 'at sign'
  }
  for (const [k, v] of Object.entries(odd)) await put('odd', k, v)
  const past = formatInstant(Date.now() - 3_600_000)

  const expect = async (args: string[], code: number, message: RegExp, what: string): Promise<void> => {
    const r = await env.cli(args)
    t.equal(r.code, code, `${what}: exit code (stderr: ${r.stderr.trim()})`)
    t.match(r.stderr, message, `${what}: message`)
  }

  await expect(['ls', 's3://no-such-bucket@latest'], 3, /bucket 'no-such-bucket' does not exist/, 'unknown bucket')
  await expect(['cat', 's3://odd/missing.txt@latest'], 3, /missing\.txt does not exist at latest/, 'unknown key')
  await expect(['cat', 's3://odd/dots@latest'], 3, /is a directory/, 'cat of a directory')
  await expect(['ls', `s3://plain@${past}`], 4, /never had versioning.*infinstor enable plain/, 'bucket without versioning')
  await expect(['ls', 's3://odd@2022-13-45'], 2, /bad time spec '2022-13-45'.*Accepted forms/, 'bad spec')
  await expect(['ls', 's3://odd@2022-12-06T00:00:00'], 2, /ambiguous/, 'local time without offset')
  await expect(['ls', 's3://odd@2099-01-01'], 2, /in the future/, 'future time')
  await expect(['ls', 's3://odd@2022-12-07..2022-12-06'], 2, /start before its end/, 'reversed slice')
  await expect(['ls', 's3://odd@no-such-label'], 3, /no label named 'no-such-label'/, 'unknown label')
  await expect(['ls', 's3://Bad_Name@latest'], 2, /not a valid bucket name/, 'bad bucket name')
  await expect(['frobnicate'], 2, /unknown command 'frobnicate'/, 'unknown command')
  await expect(['cat'], 2, /expected one s3:\/\/bucket\/key@spec/, 'missing argument')
  await expect(['ls', '--bogus', 's3://odd'], 2, /unknown option '--bogus' for 'ls'/, 'unknown option')
  await expect(['log', 's3://odd/a//b@latest'], 2, /leave out the @time/, 'log with a time')
  await expect(['diff', 's3://odd@latest', 'latest'], 2, /second argument is a time like @/, 'diff without @')
  await expect(['disable', 'plain'], 4, /never enabled/, 'disable of an unversioned bucket')

  const ok = await env.cli(['ls', 's3://plain@latest'])
  t.equal(ok.stdout, 'a.txt\n', 'latest works without versioning')
  for (const [k, v] of Object.entries(odd)) {
    if (k.endsWith('/')) continue
    const r = await env.cli(['cat', `s3://odd/${k}@latest`])
    t.equal(r.stdout, v, `cat of ${JSON.stringify(k)}`)
    const s = await env.cli(['stat', '--json', `s3://odd/${k}@latest`])
    t.equal(JSON.parse(s.stdout).key, k, `stat of ${JSON.stringify(k)}`)
  }
  await expect(['cat', 's3://odd/k@v'], 3, /no label named 'v'/, 'a key ending in @word needs an explicit @time')
  t.equal((await env.cli(['ls', 's3://odd/a/'])).stdout, '""/\n', 'an empty segment is shown quoted')
  t.equal((await env.cli(['ls', 's3://odd/dots'])).stdout, '"."/\n".."/\n', 'dot segments are shown quoted')
  const top = (await env.cli(['ls', 's3://odd'])).stdout.split('\n')
  t.ok(top.includes('trail/'), 'a dir/ marker lists as a directory')
  t.ok(top.includes('with space.txt') && top.includes('sym+bol%20=&~.dat') && top.includes('k@v'), 'odd characters list as they are')

  const st = await env.cli(['status', 'plain'])
  t.match(st.stdout, /versioning:\s+Off .*infinstor enable plain/)
  t.equal((await env.cli(['enable', 'plain'])).code, 0)
  t.match((await env.cli(['status', '--json', 'plain'])).stdout, /"versioning": "Enabled"/)
  const dis = await env.cli(['disable', 'plain'])
  t.equal(dis.code, 0)
  t.match(dis.stderr, /suspended.*destroys the previous data/s, 'disable warns what it means')
  t.match((await env.cli(['status', 'plain'])).stdout, /Suspended/)
})

t.test('S3 faults and access denied', async t => {
  const dead = await freePort()
  const started = Date.now()
  const r = await (await s3env(t)).cli(['ls', 's3://any@latest'], {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${dead}`, INFINSTOR_S3_ATTEMPTS: '2', INFINSTOR_S3_TIMEOUT_MS: '1000'
  })
  t.equal(r.code, 6, 'unreachable S3 exits 6')
  t.match(r.stderr, /S3 at http:\/\/127\.0\.0\.1:\d+ failed after retries/)
  t.ok(Date.now() - started < 20_000, 'gives up in bounded time')

  const auth = await startMoto({ env: { INITIAL_NO_AUTH_ACTION_COUNT: '0' } })
  t.teardown(auth.stop)
  const denied = await (await s3env(t)).cli(['ls', 's3://any@latest'], {
    AWS_ENDPOINT_URL: auth.endpoint, AWS_ACCESS_KEY_ID: 'AKIDUNKNOWN', AWS_SECRET_ACCESS_KEY: 'super-secret-value'
  })
  t.equal(denied.code, 5, 'access denied exits 5')
  t.match(denied.stderr, /access denied/)
  t.notMatch(denied.stderr, /super-secret-value/, 'never prints the secret')
})
