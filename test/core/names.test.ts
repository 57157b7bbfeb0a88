import t from 'tap'
import { hash8, MAX_NAME_BYTES, nameEntries, segmentName } from '../../src/core/names.js'

t.test('odd segments get visible stand-ins', async t => {
  t.equal(segmentName(''), '／')
  t.equal(segmentName('.'), '．')
  t.equal(segmentName('..'), '．．')
  t.equal(segmentName('a\0b'), 'a␀b')
  t.equal(segmentName('plain name.txt'), 'plain name.txt')
  const long = 'é'.repeat(200)
  const name = segmentName(long)
  t.ok(Buffer.byteLength(name) <= MAX_NAME_BYTES, 'long names fit in 255 bytes')
  t.match(name, /~[0-9a-f]{8}$/)
  t.notOk(name.includes('\ufffd'), 'never cuts a character in half')
  t.not(segmentName('x'.repeat(300)), segmentName('x'.repeat(301)), 'different long names stay different')
})

t.test('a directory hides a file of the same name; collisions get a hash', async t => {
  const { named, shadowed } = nameEntries([
    { seg: 'x', kind: 'file' }, { seg: 'x', kind: 'dir' },
    { seg: '.', kind: 'dir' }, { seg: '．', kind: 'file' },
    { seg: 'b', kind: 'file' }
  ])
  t.same(shadowed, [{ seg: 'x', kind: 'file' }])
  const names = named.map(e => e.name)
  t.equal(new Set(names).size, names.length, 'names are unique')
  t.ok(names.includes('．'), 'the real name keeps its name')
  t.ok(names.includes('．~' + hash8('.')), 'the stand-in that collides gets a hash')
  t.same(names, [...names].sort(), 'sorted')
})
