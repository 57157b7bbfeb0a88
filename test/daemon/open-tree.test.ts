// How --cache-size becomes the block cache's bound (pure).
import t from 'tap'
import { blockBudget } from '../../src/daemon/open-tree.js'

const MiB = 1024 * 1024

t.test('the cache keeps room for dropped blocks V8 has not freed yet', async t => {
  t.equal(blockBudget(512), 448 * MiB, '64 MiB of 512')
  t.equal(blockBudget(4096), 4032 * MiB, 'never more than 64 MiB')
  t.equal(blockBudget(64), 56 * MiB, 'an eighth of a small cache')
  t.equal(blockBudget(0), 14 * MiB, 'a disk cache alone still assembles blocks in 16 MiB')
})
