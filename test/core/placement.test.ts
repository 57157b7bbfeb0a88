import t from 'tap'
import { placeKeys } from '../../src/core/placement.js'

t.test('flat keys laid out as a tree of file names', async t => {
  const p = placeKeys(['a/b.txt', 'a//c', 'dots/./x', 'marker/', 'clash', 'clash/in', 'top'].map(rel => ({ rel })))
  t.same(p.files.map(f => f.path.join('/')).sort(), ['a/b.txt', 'a/／/c', 'clash/in', 'dots/．/x', 'top'].sort())
  t.same(p.dirs.map(d => d.join('/')).sort(), ['a', 'a/／', 'clash', 'dots', 'dots/．', 'marker'].sort())
  t.same(p.shadowed, [{ rel: 'clash' }])
})
