// A mount of named buckets asks each one's versioning while the kernel
// mounts (mount-process.ts), so the first look into it waits for no cold
// S3 request of that kind; a failure then is not kept.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import { mountTree, run, type Mounted } from '../helpers/mount.js'
import { s3env } from '../helpers/s3env.js'

/** The mount's S3 requests so far, by operation, from its HTTP API. */
function counter (m: Mounted): () => Promise<Record<string, number>> {
  const url = /HTTP API \(Jupyter contents, InfinStor\) at (\S+);/.exec(m.log())?.[1]
  if (url === undefined) throw new Error(`the mount serves no API: ${m.log()}`)
  const token = readFileSync(join(m.env.XDG_CONFIG_HOME as string, 'infinstor', 'token'), 'utf8').trim()
  return async () => ((await (await fetch(`${url}/api/infinstor/info`, { headers: { Authorization: `token ${token}` } })).json()) as { s3Requests: Record<string, number> }).s3Requests
}

async function until (what: string, ok: () => Promise<boolean>): Promise<void> {
  const started = Date.now()
  while (!await ok()) {
    if (Date.now() - started > 20_000) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

t.test('a mount asks its named buckets\' versioning before anyone looks', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'early' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'early', VersioningConfiguration: { Status: 'Enabled' } }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'early', Key: 'a.txt', Body: 'a' }))
  const m = await mountTree(t, env, { buckets: ['early', 'later'], args: ['--port', '0'] })
  const requests = counter(m)
  // Both asked, though nothing looked: 'later' does not exist yet, so its answer is an error.
  await until('two versioning requests', async () => (await requests()).GetBucketVersioning === 2)
  const ls = await run('ls', [`${m.dir}/early/@latest`])
  t.equal(ls.stdout, 'a.txt\n', ls.stderr)
  t.equal((await requests()).GetBucketVersioning, 2, 'the first look used the answer asked at mount')

  // The failure was not kept: once the bucket exists, the first look asks again and sees it.
  await env.raw.send(new CreateBucketCommand({ Bucket: 'later' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'later', VersioningConfiguration: { Status: 'Enabled' } }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'later', Key: 'b.txt', Body: 'b' }))
  const later = await run('ls', [`${m.dir}/later/@latest`])
  t.equal(later.stdout, 'b.txt\n', later.stderr)
  t.equal((await requests()).GetBucketVersioning, 3, 'asked again')
})
