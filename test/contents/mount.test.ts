// The HTTP API served beside a real mount, in the mount's process and over
// its tree: the same names, labels and bytes as the mount, and --no-serve.
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { fileStream, readAll } from '../../src/contents/bytes.js'
import { lookupEntry } from '../../src/contents/entries.js'
import { DirectReader } from '../../src/reader/direct.js'
import type { Reader } from '../../src/reader/types.js'
import type { Engine } from '../../src/engine/engine.js'
import { TimeTree } from '../../src/tree/time-tree.js'
import { streamLog } from '../../src/config/log.js'
import { client, serveContents, TOKEN } from '../helpers/contents-server.js'
import { sha } from '../helpers/history.js'
import { hashTree, mountTree, run } from '../helpers/mount.js'
import { s3env, type S3Env } from '../helpers/s3env.js'

const FILES: Record<string, Buffer> = {
  'train/a.csv': Buffer.from('x,y\n1,2\n'),
  'train/blob.bin': randomBytes(300_000),
  'a//b': Buffer.from('double slash'),
  'notes/n.ipynb': Buffer.from(JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }))
}

async function seed (env: S3Env): Promise<void> {
  await env.raw.send(new CreateBucketCommand({ Bucket: 'side' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'side', VersioningConfiguration: { Status: 'Enabled' } }))
  for (const [key, body] of Object.entries(FILES)) await env.raw.send(new PutObjectCommand({ Bucket: 'side', Key: key, Body: body }))
}

t.test('a mount serves the contents API by default, over the same tree', async t => {
  const env = await s3env(t)
  await seed(env)
  const seeded = Date.now()
  const m = await mountTree(t, env, { args: ['--port', '0', '--token', TOKEN] })
  const url = /HTTP API \(Jupyter contents, InfinStor\) at (http:\/\/127\.0\.0\.1:\d+)/.exec(m.log())?.[1]
  t.ok(url, `the mount logs where its HTTP API is (${m.log()})`)
  t.notMatch(m.log(), new RegExp(TOKEN), 'the log does not print the token')
  const get = async (path: string): Promise<Response> => await fetch(`${url as string}${path}`, { headers: { Authorization: `token ${TOKEN}` } })

  // Every file the mount shows, hashed by a child process, against the API's bytes for the same path.
  const viaMount = await hashTree(`${m.dir}/side/@latest`)
  t.equal(viaMount.size, Object.keys(FILES).length)
  for (const [rel, hash] of viaMount) {
    const path = rel.split('/').map(encodeURIComponent).join('/')
    const res = await get(`/files/side/@latest/${path}`)
    t.equal(res.status, 200, rel)
    t.equal(sha(Buffer.from(await res.arrayBuffer())), hash, `${rel}: the same bytes as the mount`)
    const model = await (await get(`/api/contents/side/@latest/${path}?content=0`)).json() as { name: string }
    t.equal(model.name, rel.split('/').at(-1), `${rel}: the same name`)
  }
  t.equal((await get('/api/contents/side/@latest/notes/n.ipynb').then(async r => await r.json()) as { type: string }).type, 'notebook')

  // A label made by the CLI (same store) shows in the mount and in the API alike.
  const at = formatInstant(seeded + 1100)
  await new Promise(resolve => setTimeout(resolve, Math.max(0, seeded + 3800 - Date.now())))
  const made = await env.cli(['label', 'create', 'side-v1', `s3://side/train@${at}`],
    { XDG_CONFIG_HOME: m.env.XDG_CONFIG_HOME, INFINSTOR_SETTLE_MARGIN_MS: '1000' })
  t.equal(made.code, 0, made.stderr)
  let listed: string[] = []
  for (let i = 0; i < 50 && !listed.includes('@side-v1'); i++) {
    await new Promise(resolve => setTimeout(resolve, 100))
    listed = ((await (await get('/api/contents/side')).json()) as { content: Array<{ name: string }> }).content.map(c => c.name)
  }
  t.same(listed, ['@latest', '@side-v1'], 'the API lists the label')
  t.same((await run('ls', [`${m.dir}/side`])).stdout.split('\n').filter(l => l !== ''), ['@latest', '@side-v1'], 'so does the mount')
  const labelled = await (await get('/api/contents/side/@side-v1')).json() as { content: Array<{ name: string }> }
  t.same(labelled.content.map(c => c.name), ['a.csv', 'blob.bin'], 'rooted at the label\'s path')

  await m.unmount()
  await t.rejects(fetch(`${url as string}/api/contents`), 'the HTTP API stops with the mount')
})

t.test('--no-serve mounts without the HTTP API', async t => {
  const env = await s3env(t)
  await seed(env)
  const m = await mountTree(t, env, { args: ['--no-serve'] })
  t.notMatch(m.log(), /HTTP API/)
  t.equal((await hashTree(`${m.dir}/side/@latest`)).size, Object.keys(FILES).length, 'the mount itself works')
})

t.test('given a tree, the server reads through it (one tree, one cache)', async t => {
  const env = await s3env(t)
  await seed(env)
  let opened = 0
  let open = 0
  const counting = (engine: Engine): Reader => {
    // (A deadline for a loaded machine: this test is about who reads and releases, not about time.)
    const direct = new DirectReader(engine.read.bind(engine), { deadlineMs: 60_000 })
    return {
      open: (bucket, version) => {
        opened++
        open++
        const handle = direct.open(bucket, version)
        return { read: handle.read, close: () => { open--; handle.close() } }
      }
    }
  }
  const served = await serveContents(t, env, {
    tree: ({ engine }) => new TimeTree(engine, counting(engine), {
      liveTtlMs: 1000, settleMarginMs: 2000, attrTimeoutMs: 1000, log: streamLog(() => {})
    })
  })
  const res = await client(served)('/api/contents/side/@latest/train/a.csv')
  t.equal((await res.json() as { content: string }).content, 'x,y\n1,2\n')
  t.equal(opened, 1, 'the read went through the given tree\'s reader')
  t.equal(open, 0, 'and the file was released')

  // A client that leaves mid-download releases the file too, and nothing breaks.
  await env.raw.send(new PutObjectCommand({ Bucket: 'side', Key: 'big.bin', Body: Buffer.alloc(64 * 1024 * 1024, 1) }))
  await new Promise(resolve => setTimeout(resolve, 1100)) // past the live listing's TTL: big.bin is listed
  const abort = new AbortController()
  const download = await client(served)('/files/side/@latest/big.bin', { signal: abort.signal })
  t.equal(download.status, 200)
  const reader = (download.body as ReadableStream<Uint8Array>).getReader()
  await reader.read()
  t.equal(open, 1, 'the download holds the file open')
  abort.abort()
  for (let i = 0; i < 100 && open > 0; i++) await new Promise(resolve => setTimeout(resolve, 100))
  t.equal(open, 0, 'an abandoned download releases its file')
  const after = await client(served)('/api/contents/side/@latest/train/a.csv')
  t.equal(after.status, 200, `and the server goes on (${after.status === 200 ? 'ok' : await after.text()})`)
})

t.test('a file replaced in S3 between lookup and read fails loudly, never with the wrong size', async t => {
  const env = await s3env(t)
  await seed(env)
  const engine = env.engine({ liveTtlMs: 200 })
  const tree = new TimeTree(engine, new DirectReader(engine.read.bind(engine), { deadlineMs: 5000 }), {
    liveTtlMs: 200, settleMarginMs: 2000, attrTimeoutMs: 200, log: streamLog(() => {})
  })
  const path = ['side', '@latest', 'train', 'a.csv']
  const before = await lookupEntry(tree, path)
  t.equal(before.kind === 'file' && before.size, 8)
  t.same(await readAll(tree, path, 8), FILES['train/a.csv'], 'read right after the lookup: the same version')
  for (const body of ['x,y\n1,2\n3,4\n', 'x\n']) {
    await env.raw.send(new PutObjectCommand({ Bucket: 'side', Key: 'train/a.csv', Body: body }))
    await new Promise(resolve => setTimeout(resolve, 700)) // past the live TTL and the pin: a read now takes the new version
    await t.rejects(readAll(tree, path, 8), { code: 'Conflict', message: /changed in S3 while it was being read/ }, `now ${body.length} bytes: inline`)
    const bytes: Buffer[] = []
    await t.rejects(async () => { for await (const c of fileStream(tree, path, 8)) bytes.push(c as Buffer) },
      { code: 'Conflict' }, `now ${body.length} bytes: download`)
  }
})
