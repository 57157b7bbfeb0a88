// The whole mounted tree, at every step of random histories and over
// slices, against the oracle: same paths, same bytes (sha256 by a child).
import t from 'tap'
import { formatInstant } from '../src/core/timespec.js'
import { buildHistory, sha, slice, snapshot, type State } from './helpers/history.js'
import { dirTree, hashTree, mountTree } from './helpers/mount.js'
import { s3env } from './helpers/s3env.js'

/**
 * The README's mapping of key segments to file names, written out again
 * here so the test does not lean on src/core/names.ts.
 */
function fnv1a (text: string): string {
  let h = 0x811c9dc5
  for (const b of Buffer.from(text, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0
  return h.toString(16).padStart(8, '0')
}

function fileName (seg: string): string {
  if (seg === '') return '／'
  if (seg === '.') return '．'
  if (seg === '..') return '．．'
  const bytes = Buffer.from(seg, 'utf8')
  if (bytes.length <= 255) return seg
  let cut = 255 - 9
  while ((bytes[cut] & 0xc0) === 0x80) cut--
  return bytes.subarray(0, cut).toString('utf8') + '~' + fnv1a(seg)
}

/** What the mount must show for a set of live keys: files with hashes, and directories. */
function expected (state: State): { files: Record<string, string>, dirs: string[] } {
  const keys = [...state.keys()]
  const files: Record<string, string> = {}
  const dirs = new Set<string>()
  for (const key of keys) {
    const segs = key.split('/')
    for (let n = 1; n < segs.length; n++) dirs.add(segs.slice(0, n).map(fileName).join('/'))
    // 'dir/' markers are directories only; a file beside a directory of its name is hidden.
    if (key.endsWith('/') || keys.some(k => k.startsWith(key + '/'))) continue
    files[segs.map(fileName).join('/')] = sha(state.get(key) as Buffer)
  }
  return { files, dirs: [...dirs].sort() }
}

t.test('every step and several slices of random histories, byte for byte through a real mount', async t => {
  const env = await s3env(t)
  const histories = await Promise.all([7, 8, 9].map(async seed =>
    await buildHistory(env.raw, `fs-oracle-${seed}`, { seed, steps: 7, nullSteps: 2 })))
  const m = await mountTree(t, env)
  let hidden = 0
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
      t.same(Object.fromEntries(await hashTree(`${base}/${spec}`)), want.files, `${h.bucket}/${spec}: files and bytes`)
      t.same(await dirTree(`${base}/${spec}`), want.dirs, `${h.bucket}/${spec}: directories`)
    }
  }
  if (hidden > 0) t.match(m.log(), /s3:\/\/fs-oracle-\d\/clash is hidden/, `a file hidden by a directory is logged (${hidden} views hid one)`)
})
