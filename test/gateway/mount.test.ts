// The gateway served by a mount process, beside its HTTP API, through the
// mount's own block cache: a version read through the mount and then the
// gateway is fetched from S3 once. Views equal the oracle; a taken gateway
// port leaves the mount running and the log says why.
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { KeyStore } from '../../src/gateway/keys.js'
import { rawS3, xmlAll, type Creds } from '../helpers/gateway.js'
import { buildHistory, nextSecond, sha, snapshot } from '../helpers/history.js'
import { mountTree, run, scratch } from '../helpers/mount.js'
import { s3env } from '../helpers/s3env.js'

const TOKEN = 'gateway-mount-token'
const BIG = randomBytes(24 * 1024 * 1024 + 777)

t.test('the gateway beside a mount shares its cache', async t => {
  const env = await s3env(t)
  const h = await buildHistory(env.raw, 'mnt', { seed: 2026, steps: 4 })
  await env.raw.send(new PutObjectCommand({ Bucket: 'mnt', Key: 'big/data.bin', Body: BIG }))
  const bigAt = formatInstant(Date.now())
  await nextSecond()
  await env.raw.send(new PutObjectCommand({ Bucket: 'mnt', Key: 'big/data.bin', Body: 'replaced' }))
  const where = scratch(t)
  const key = await new KeyStore(join(where.state, 'infinstor', 's3-keys.json')).create()
  const creds: Creds = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }
  const m = await mountTree(t, env, { at: where, args: ['--port', '0', '--s3-port', '0', '--token', TOKEN] })
  const gateway = /S3 gateway at (http:\/\/127\.0\.0\.1:\d+)/.exec(m.log())?.[1] as string
  const http = /HTTP API \(Jupyter contents, InfinStor\) at (http:\/\/127\.0\.0\.1:\d+)/.exec(m.log())?.[1] as string
  t.ok(gateway !== undefined && http !== undefined, `the mount logs its gateway and its HTTP API (${m.log()})`)
  const gets = async (): Promise<number> => {
    const info = await (await fetch(`${http}/api/infinstor/info`, { headers: { Authorization: `token ${TOKEN}` } })).json() as { s3Requests: Record<string, number> }
    return info.s3Requests.GetObject ?? 0
  }

  await t.test('a version read through the mount, then the gateway, is fetched once', async t => {
    const viaMount = await run('sha256sum', [`${m.dir}/mnt/@${bigAt}/big/data.bin`])
    t.equal(viaMount.stdout.split(' ')[0], sha(BIG), 'the mount reads the version')
    const afterMount = await gets()
    t.ok(afterMount > 0, `the mount fetched it (${afterMount} GETs)`)
    const viaGateway = await rawS3(gateway, creds, { path: `/mnt/@${bigAt}/big/data.bin` })
    t.equal(sha(viaGateway.body), sha(BIG), 'the gateway serves the same bytes')
    t.equal(await gets(), afterMount, 'with no GET to S3: both read the one block cache')
    const ranged = await rawS3(gateway, creds, { path: `/@${bigAt}/mnt/big/data.bin`, headers: { Range: 'bytes=1000000-1999999' } })
    t.ok(ranged.body.equals(BIG.subarray(1_000_000, 2_000_000)), 'a range too')
    t.equal(await gets(), afterMount)
  })

  await t.test('views through the mount\'s gateway equal the oracle', async t => {
    for (const [i, at] of h.at.entries()) {
      const res = await rawS3(gateway, creds, { path: '/mnt', query: { 'list-type': '2', prefix: `@${formatInstant(at)}/` } })
      const keys = xmlAll(res.body, 'Key').map(k => k.replace(/&amp;/g, '&').slice(`@${formatInstant(at)}/`.length))
      const want = snapshot(h, i)
      t.same(keys.filter(k => !k.startsWith('big/')).sort(), [...want.keys()].sort(), `step ${i}: the keys`)
      for (const [k, body] of want) {
        const got = await rawS3(gateway, creds, { path: `/mnt/%40${formatInstant(at).replace(/:/g, '%3A')}/${k.split('/').map(encodeURIComponent).join('/')}` })
        t.equal(sha(got.body), sha(body), `step ${i}: ${k}`)
      }
    }
  })

  await t.test('a taken gateway port: the mount runs, and its log says why', async t => {
    const port = new URL(gateway).port
    const second = await mountTree(t, env, { args: ['--no-serve', '--s3-port', port] })
    const both = await mountTree(t, env, { args: ['--port', '0', '--s3-port', port] })
    t.notMatch(second.log(), /S3 gateway/, '--no-serve starts neither server')
    t.match(both.log(), new RegExp(`S3 gateway not started: the S3 gateway's port ${port} on 127.0.0.1 is taken`))
    const ls = await run('ls', [`${both.dir}/mnt/@latest/big`])
    t.equal(ls.stdout.trim(), 'data.bin', 'the mount works without its gateway')
  })
})
