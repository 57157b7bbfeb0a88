// 16 parallel readers of several large versions through one mount: every
// byte right (sha256 by each reader process).
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { sha } from '../helpers/history.js'
import { mountTree, run } from '../helpers/mount.js'
import { s3env } from '../helpers/s3env.js'

const MiB = 1024 * 1024

async function nextSecond (): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20))
}

t.test('16 parallel readers of large versions get exact bytes', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'big' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'big', VersioningConfiguration: { Status: 'Enabled' } }))
  // Two keys, two versions each; each version is read at a time that shows it.
  const versions: Array<{ path: string, hash: string }> = []
  for (const [key, sizes] of [['data/a.bin', [3 * MiB + 17, 20 * MiB]], ['data/b.bin', [12 * MiB - 5, 7 * MiB]]] as const) {
    for (const size of sizes) {
      await nextSecond()
      const body = randomBytes(size)
      await env.raw.send(new PutObjectCommand({ Bucket: 'big', Key: key, Body: body }))
      versions.push({ path: `${key}@${Date.now()}`, hash: sha(body) })
    }
  }
  const m = await mountTree(t, env)
  const readers = Array.from({ length: 16 }, (_, i) => {
    const v = versions[i % versions.length]
    const [key, at] = v.path.split('@')
    return { file: `${m.dir}/big/@${formatInstant(Number(at))}/${key}`, hash: v.hash }
  })
  const results = await Promise.all(readers.map(async r => ({ r, out: await run('sha256sum', [r.file], { timeoutMs: 300_000 }) })))
  for (const [i, { r, out }] of results.entries()) {
    t.equal(out.code, 0, `reader ${i} finished (${out.stderr.trim()})`)
    t.equal(out.stdout.split(' ')[0], r.hash, `reader ${i}: ${r.file.slice(m.dir.length)} byte-exact`)
  }
  t.equal(m.proc.exitCode, null, 'the mount is still serving')
})
