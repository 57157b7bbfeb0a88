// Reading ahead across a folder's files: the rule (pure), and what a tree
// over a caching reader fetches when a program reads a folder in order,
// against a real S3 (moto).
import { randomBytes } from 'node:crypto'
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import { streamLog } from '../../src/config/log.js'
import { formatInstant } from '../../src/core/timespec.js'
import type { Version } from '../../src/core/versions.js'
import type { Engine } from '../../src/engine/engine.js'
import { createReader, type CachingReader } from '../../src/reader/reader.js'
import { SiblingReadahead, type FileOrder } from '../../src/tree/siblings.js'
import { segments } from '../../src/tree/paths.js'
import { TimeTree } from '../../src/tree/time-tree.js'
import { nextSecond } from '../helpers/history.js'
import { s3env } from '../helpers/s3env.js'

const MiB = 1024 * 1024

function order (sizes: number[]): FileOrder {
  const versions = sizes.map((size, i) => ({ key: `d/f${i}`, versionId: `v${i}`, size }) as unknown as Version)
  return { versions, index: new Map(versions.map((v, i) => [`f${i}`, i])) }
}

t.test('two files opened in a row fetch the next ones ahead, once each', async t => {
  const fetched: string[] = []
  const ahead = new SiblingReadahead({ ahead: 3, maxBytes: 1 * MiB, prefetch: (_b, v) => { fetched.push(v.key) } })
  const files = order([10, 10, 10, 10, 0, 2 * MiB, 10, 10, 10, 10, 10, 10])
  const open = (i: number): string[] => {
    fetched.length = 0
    ahead.opened('folder', 'b', files, `f${i}`)
    return [...fetched]
  }
  t.same(open(0), [], 'one file says nothing about order')
  t.same(open(1), ['d/f2', 'd/f3'], 'the next three, but not the empty f4')
  t.same(open(2), [], 'f5 is too big to fetch ahead')
  t.same(open(3), ['d/f6'])
  t.same(open(3), [], 'opening the same file again fetches nothing more')
  t.same(open(9), [], 'a jump starts over')
  t.same(open(10), ['d/f11'], 'and the end of the folder bounds it')
  t.same(open(11), [])
  fetched.length = 0
  ahead.opened('folder', 'b', files, 'not-there')
  t.same(fetched, [], 'a name not in the folder fetches nothing')
})

t.test('the window reaching a folder\'s end says so once; a folder entered goes on from its first file', async t => {
  const fetched: string[] = []
  const ahead = new SiblingReadahead({ ahead: 2, maxBytes: 1 * MiB, prefetch: (_b, v) => { fetched.push(v.key) } })
  const files = order([10, 10, 10, 10, 10])
  const open = (folder: string, i: number): boolean => ahead.opened(folder, 'b', files, `f${i}`)
  t.equal(open('a', 0), false)
  t.equal(open('a', 1), false, 'f2 and f3 fetched, not yet the last file')
  t.equal(open('a', 2), true, 'f4, the last file, is fetched: go on into the next folder')
  t.equal(open('a', 3), false, 'once per folder')
  t.equal(open('a', 4), false)
  fetched.length = 0
  ahead.entered('b', 'b', files)
  t.same(fetched, ['d/f0', 'd/f1'], 'its first files')
  fetched.length = 0
  t.equal(open('b', 0), false, 'its first file continues the order')
  t.same(fetched, ['d/f2'])
  fetched.length = 0
  ahead.entered('b', 'b', files)
  ahead.entered('a', 'b', files)
  t.same(fetched, [], 'a folder already being read is left as it is')
  t.equal(open('b', 1), false)
  t.equal(open('b', 2), true)
  t.same(fetched, ['d/f3', 'd/f4'])
})

async function readAll (tree: TimeTree, path: string): Promise<Buffer> {
  const file = await tree.open(segments(path))
  const parts: Buffer[] = []
  for (let off = 0; ; off += 128 * 1024) {
    const b = await file.read(off, 128 * 1024)
    if (b.length === 0) break
    parts.push(b)
  }
  file.close()
  return Buffer.concat(parts)
}

async function settle (reader: CachingReader): Promise<void> {
  // Readahead runs in the background: wait until no GET is queued or under way (a loaded machine may take long).
  for (let i = 0; i < 1200; i++) {
    const s = reader.stats()
    if (s.queuedReadahead === 0 && s.inflightBytes === 0) return
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

function treeOver (engine: Engine, reader: CachingReader, ahead?: number): TimeTree {
  return new TimeTree(engine, reader, {
    liveTtlMs: 500,
    settleMarginMs: 1000,
    attrTimeoutMs: 1000,
    log: streamLog(() => {}),
    ...(ahead !== undefined ? { siblings: { ahead, maxBytes: 1 * MiB } } : {})
  })
}

t.test('a folder read in name order waits for one GET per file only until the order shows', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'shards' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'shards', VersioningConfiguration: { Status: 'Enabled' } }))
  await nextSecond()
  const names = Array.from({ length: 20 }, (_, i) => `f${String(i).padStart(3, '0')}.bin`)
  // f010 is too big to fetch ahead; the others are small.
  const bodies = names.map((_, i) => randomBytes(i === 10 ? 2 * MiB + 5 : 1000 + i * 3001))
  for (const [i, name] of names.entries()) await env.raw.send(new PutObjectCommand({ Bucket: 'shards', Key: `d/${name}`, Body: bodies[i] }))
  const at = formatInstant(Date.now())
  await nextSecond()
  // Newer bytes in @latest, which must not be what the past view reads.
  for (const name of names.slice(0, 4)) await env.raw.send(new PutObjectCommand({ Bucket: 'shards', Key: `d/${name}`, Body: 'newer' }))
  await new Promise(resolve => setTimeout(resolve, 2200))
  const engine = env.engine({ settleMarginMs: 1000 })

  const reader = createReader({ into: engine.readInto.bind(engine) }, { cacheBytes: 64 * MiB })
  const tree = treeOver(engine, reader)
  const gets = (): number => reader.stats().gets
  for (const i of [0, 1]) t.ok((await readAll(tree, `/shards/@${at}/d/${names[i]}`)).equals(bodies[i]), `${names[i]}`)
  await settle(reader)
  t.equal(gets(), 10, 'two GETs read, eight fetched ahead (f002..f009)')
  for (let i = 2; i < 10; i++) t.ok((await readAll(tree, `/shards/@${at}/d/${names[i]}`)).equals(bodies[i]), `${names[i]} from the cache`)
  await settle(reader)
  t.equal(gets(), 17, 'reading them cost no GET; each fetched one more ahead: f011..f017 (f010 is too big)')
  for (let i = 10; i < 20; i++) t.ok((await readAll(tree, `/shards/@${at}/d/${names[i]}`)).equals(bodies[i]), `${names[i]}`)
  await settle(reader)
  const partsOfBig = reader.stats().gets - 17 - 2
  t.ok(partsOfBig >= 1 && partsOfBig <= 3, `f010 read by its own GETs (${partsOfBig}); f018 and f019 fetched ahead`)

  const off = createReader({ into: engine.readInto.bind(engine) }, { cacheBytes: 64 * MiB })
  const plain = treeOver(engine, off, 0)
  for (const i of [0, 1, 2]) await readAll(plain, `/shards/@${at}/d/${names[i]}`)
  await settle(off)
  t.equal(off.stats().gets, 3, 'with 0 files ahead, one GET per file read')

  const live = createReader({ into: engine.readInto.bind(engine) }, { cacheBytes: 64 * MiB })
  const latest = treeOver(engine, live)
  for (const i of [0, 1, 2]) t.equal((await readAll(latest, `/shards/@latest/d/${names[i]}`)).toString(), 'newer')
  await settle(live)
  t.equal(live.stats().gets, 3, '@latest chooses each version at its first read: nothing is fetched ahead')
})

t.test('a data set read folder after folder finds the next folder listed and its first files fetched', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'classes' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'classes', VersioningConfiguration: { Status: 'Enabled' } }))
  await nextSecond()
  const sizes: Record<string, number> = { a: 5, b: 5, c: 2 }
  const bodies = new Map<string, Buffer>()
  for (const [folder, n] of Object.entries(sizes)) {
    for (let i = 0; i < n; i++) {
      const key = `d/${folder}/f${i}.bin`
      bodies.set(key, randomBytes(500 + i * 701))
      await env.raw.send(new PutObjectCommand({ Bucket: 'classes', Key: key, Body: bodies.get(key) }))
    }
  }
  const at = formatInstant(Date.now())
  await nextSecond()
  // Newer bytes in @latest: what is fetched ahead must be the view's versions.
  for (const key of ['d/b/f0.bin', 'd/b/f1.bin', 'd/c/f0.bin']) await env.raw.send(new PutObjectCommand({ Bucket: 'classes', Key: key, Body: 'newer' }))
  await new Promise(resolve => setTimeout(resolve, 2200))
  const engine = env.engine({ settleMarginMs: 1000 })
  const reader = createReader({ into: engine.readInto.bind(engine) }, { cacheBytes: 64 * MiB })
  const tree = treeOver(engine, reader, 3)
  const gets = (): number => reader.stats().gets
  // The next folder is listed before its files are fetched: GETs may start after the queue was last empty.
  const settleAt = async (want: number): Promise<void> => {
    for (let i = 0; i < 1200 && gets() < want; i++) await new Promise(resolve => setTimeout(resolve, 25))
    await settle(reader)
  }
  const read = async (key: string): Promise<void> => {
    t.ok((await readAll(tree, `/classes/@${at}/${key}`)).equals(bodies.get(key) as Buffer), key)
  }

  await read('d/a/f0.bin')
  await read('d/a/f1.bin')
  await settleAt(8)
  t.equal(gets(), 8, 'a/f0 and a/f1 read; a/f2..a/f4 fetched ahead, which ends the folder: b/f0..b/f2 too')
  for (let i = 2; i < 5; i++) await read(`d/a/f${i}.bin`)
  await read('d/b/f0.bin')
  await settleAt(9)
  t.equal(gets(), 9, 'the rest of a and b/f0 from the cache; b/f0 continues the order: b/f3 fetched')
  await read('d/b/f1.bin')
  await settleAt(12)
  t.equal(gets(), 12, 'b/f4 ends the window: c/f0 and c/f1 fetched')
  for (let i = 2; i < 5; i++) await read(`d/b/f${i}.bin`)
  for (let i = 0; i < 2; i++) await read(`d/c/f${i}.bin`)
  await settle(reader)
  t.equal(gets(), 12, 'b and c read from the cache, in the view\'s versions; nothing follows c')

  const jumper = createReader({ into: engine.readInto.bind(engine) }, { cacheBytes: 64 * MiB })
  const jumps = treeOver(engine, jumper, 3)
  for (const key of ['d/a/f4.bin', 'd/a/f0.bin', 'd/a/f3.bin']) await readAll(jumps, `/classes/@${at}/${key}`)
  await settle(jumper)
  t.equal(jumper.stats().gets, 3, 'files read out of order fetch nothing ahead, in the folder or the next')
})
