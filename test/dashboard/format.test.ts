// The dashboard's counts agree with their nouns ("1 write", not "1 writes").
import t from 'tap'
import { counted } from '../../src/ui/src/format.js'

t.test('counted', async t => {
  t.equal(counted(0, 'write'), '0 writes')
  t.equal(counted(1, 'write'), '1 write')
  t.equal(counted(2, 'delete'), '2 deletes')
  t.equal(counted(1, 'entry', 'entries'), '1 entry')
  t.equal(counted(12345, 'entry', 'entries'), '12,345 entries')
})
