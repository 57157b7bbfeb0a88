// Bytes lent without a copy (ReadHandle.lend, the S3 gateway's path) and
// handles opened `once`: lent views stay exact until released however much
// the cache evicts and reuses meanwhile (freed blocks are poisoned, so a
// block reused too early shows), and a once-handle over a big file gives
// its blocks back as it goes. The oracle is the fake S3's source bytes.
import t from 'tap'
import { createReader } from '../../src/reader/reader.js'
import type { Lent, ReadHandle } from '../../src/reader/types.js'
import { rng } from '../helpers/random.js'
import { FakeS3, KiB, waitsOnS3 } from './fake-s3.js'

const B = 4 * KiB
const tiny = { blockSize: B, initialReadahead: 8 * KiB, maxReadahead: 64 * KiB, partSize: 16 * KiB, poisonFreedBlocks: true, ...waitsOnS3 }

async function lend (h: ReadHandle, offset: number, length: number): Promise<Lent> {
  return await (h.lend as NonNullable<ReadHandle['lend']>)(offset, length)
}

t.test('lent views stay exact while held, over a cache that evicts and reuses meanwhile', async t => {
  const s3 = new FakeS3()
  const reader = createReader({ into: s3.into }, { ...tiny, cacheBytes: 16 * KiB, concurrency: 4 })
  const random = rng(15)
  const versions = [B * 40 + 17, B * 9, 1].map((size, n) => s3.version(`f${n}`, size))
  const held: Array<{ lent: Lent, want: Buffer, what: string }> = []
  for (let round = 0; round < 60; round++) {
    const v = versions[Math.floor(random() * versions.length)]
    const h = reader.open('b', v, { once: random() < 0.5 })
    const offset = Math.floor(random() * v.size)
    const length = 1 + Math.floor(random() * 3 * B)
    const lent = await lend(h, offset, length)
    h.close()
    const want = s3.bytes(v).subarray(offset, Math.min(v.size, offset + length))
    held.push({ lent, want, what: `${v.key} at ${offset}, ${length} bytes` })
    // Release some of what is held, in any order: the rest must survive the reads that follow.
    if (random() < 0.5) {
      const [old] = held.splice(Math.floor(random() * held.length), 1)
      t.ok(Buffer.concat(old.lent.views).equals(old.want), `${old.what}: exact when released`)
      old.lent.release()
      old.lent.release()
    }
  }
  for (const h of held) {
    t.ok(Buffer.concat(h.lent.views).equals(h.want), `${h.what}: exact after ${held.length} held through eviction`)
    h.lent.release()
  }
  t.ok(reader.stats().pool.reused > 0, 'block memory was reused meanwhile')
  const end = await lend(reader.open('b', versions[1]), versions[1].size, 10)
  t.same(end.views, [], 'nothing past the end')
})

t.test('a once-handle streaming a big file gives its blocks back as it goes; a short range keeps them', async t => {
  const s3 = new FakeS3()
  // Files over a quarter of the cache are "big": their long streams give blocks back.
  const reader = createReader({ into: s3.into }, { ...tiny, cacheBytes: 1024 * KiB, concurrency: 4 })
  const v = s3.version('big', 700 * KiB)
  const data = s3.bytes(v)
  // An 8-part range read once, in order, in block-sized pieces: a boto3 part through the gateway.
  const from = 64 * KiB
  const to = from + 8 * tiny.partSize
  const h = reader.open('b', v, { end: to, once: true })
  const parts: Buffer[] = []
  for (let at = from; at < to; at += B) {
    const lent = await lend(h, at, B)
    parts.push(Buffer.from(Buffer.concat(lent.views)))
    lent.release()
  }
  h.close()
  t.ok(Buffer.concat(parts).equals(data.subarray(from, to)), 'exact')
  // A stream that is not `once` keeps its first part (16 KiB here) cached.
  t.equal(reader.stats().cachedBytes, 0, 'blocks went back as they were read, the first ones too')
  t.ok(reader.stats().pool.reused > 0, 'and their memory was reused for the blocks after them')
  // A short range (a footer) read once stays cached for the next reader.
  const footer = reader.open('b', v, { end: v.size, once: true })
  const lent = await lend(footer, v.size - B, B)
  lent.release()
  footer.close()
  const gets = reader.stats().gets
  const again = reader.open('b', v)
  t.ok((await again.read(v.size - B, B)).equals(data.subarray(v.size - B)), 'the footer again: exact')
  again.close()
  t.equal(reader.stats().gets, gets, 'and from the cache')
})
