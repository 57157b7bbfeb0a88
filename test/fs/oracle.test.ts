// The whole mounted tree, at every step of random histories and over
// slices, against the oracle: same paths, same bytes (sha256 by a child).
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { buildHistory, FILE_NAME_KEYS, ODD_KEYS, PLAIN_KEYS, slice, snapshot, type State } from '../helpers/history.js'
import { dirTree, hashTree, mountTree } from '../helpers/mount.js'
import { expected } from '../helpers/mount-oracle.js'
import { s3env } from '../helpers/s3env.js'

t.test('every step and several slices of random histories, byte for byte through a real mount', async t => {
  const env = await s3env(t)
  const histories = await Promise.all([22, 28, 33].map(async seed =>
    await buildHistory(env.raw, `fs-oracle-${seed}`, { seed, steps: 7, nullSteps: 2, keys: [...PLAIN_KEYS, ...ODD_KEYS, ...FILE_NAME_KEYS] })))
  const m = await mountTree(t, env)
  let hidden = 0
  let standInClash = 0
  let nul = 0
  for (const h of histories) {
    const base = `${m.dir}/${h.bucket}`
    const views: Array<[string, State]> = h.at.map((at, i) => [`@${formatInstant(at)}`, snapshot(h, i)])
    views.push([`@tm${new Date(h.at[3]).toISOString().slice(0, 19).replace(/\D/g, '')}`, snapshot(h, 3)])
    views.push(['@latest', snapshot(h, h.at.length - 1)])
    const last = h.at.length - 1
    for (const [i, j] of [[0, last], [1, 3], [2, 4], [last - 3, last]]) {
      views.push([`@${formatInstant(h.at[i])}..${formatInstant(h.at[j])}`, slice(h, i, j)])
    }
    for (const [spec, state] of views) {
      const want = expected(state)
      if (state.has('clash') && state.has('clash/inner')) hidden++
      if (state.has('coll/．') && state.has('coll/./x')) standInClash++
      if (state.has('nul/a\0b')) nul++
      t.same(Object.fromEntries(await hashTree(`${base}/${spec}`)), want.files, `${h.bucket}/${spec}: files and bytes`)
      t.same(await dirTree(`${base}/${spec}`), want.dirs, `${h.bucket}/${spec}: directories`)
    }
  }
  t.ok(standInClash > 0 && nul > 0, `the seeds exercise every rule: a stand-in beside its real name (${standInClash} views), NUL (${nul})`)
  if (hidden > 0) t.match(m.log(), /s3:\/\/fs-oracle-\d+\/clash is hidden/, `a file hidden by a directory is logged (${hidden} views hid one)`)
})
