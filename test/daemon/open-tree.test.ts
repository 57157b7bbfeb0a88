// How --cache-size and --s3-concurrency become the block cache's bound and GET slots (pure).
import t from 'tap'
import { blockBudget, blockSlots } from '../../src/daemon/open-tree.js'

const MiB = 1024 * 1024

t.test('the cache keeps room for the parts GETs under way are filling', async t => {
  t.equal(blockBudget(512, 14), 400 * MiB, '14 parts of 8 MiB out of 512')
  t.equal(blockBudget(4096, 14), 3984 * MiB, 'no more than the slots fill')
  t.equal(blockBudget(4096, 1022), 3072 * MiB, 'at most a quarter, however many slots')
  t.equal(blockBudget(64, 14), 48 * MiB, 'a quarter of a small cache')
  t.equal(blockBudget(0, 14), 12 * MiB, 'a disk cache alone still assembles blocks in 16 MiB')
})

t.test('block GETs leave listings two of the S3 slots', async t => {
  t.equal(blockSlots(16), 14)
  t.equal(blockSlots(3), 1)
  t.equal(blockSlots(1), 1, 'one slot at least')
})
