// Labels through a real mount: /BUCKET/@NAME is exactly the oracle's view,
// and /@labels/NAME is a symlink that says what the label means.
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { buildHistory, slice, snapshot, type State } from '../helpers/history.js'
import { hashTree, mountTree, run } from '../helpers/mount.js'
import { expected } from '../helpers/mount-oracle.js'
import { s3env } from '../helpers/s3env.js'

/** The keys under `prefix`, relative to it: what a label rooted there shows. */
function under (state: State, prefix: string): State {
  return new Map([...state].filter(([k]) => k.startsWith(prefix) && k !== prefix).map(([k, v]) => [k.slice(prefix.length), v]))
}

t.test('labels resolve to the oracle through the mount', async t => {
  const env = await s3env(t)
  const h = await buildHistory(env.raw, 'fs-labels', { seed: 21, steps: 6, nullSteps: 1 })
  // Labels only name settled history: let the last step settle past a short margin.
  await new Promise(resolve => setTimeout(resolve, 2500))
  const m = await mountTree(t, env, { buckets: [h.bucket], extraEnv: { INFINSTOR_SETTLE_MARGIN_MS: '1000' } })
  const at = h.at.map(formatInstant)
  const labels: Array<[string, string, State, string]> = [
    ['snap', `s3://${h.bucket}@${at[2]}`, snapshot(h, 2), `../${h.bucket}/@${at[2]}`],
    ['window', `s3://${h.bucket}@${at[1]}..${at[4]}`, slice(h, 1, 4), `../${h.bucket}/@${at[1]}..${at[4]}`],
    ['sub', `s3://${h.bucket}/dir/@${at[5]}`, under(snapshot(h, 5), 'dir/'), `../${h.bucket}/@${at[5]}/dir`]
  ]
  for (const [name, target] of labels) {
    const r = await env.cli(['label', 'create', name, target, '-m', `test ${name}`], m.env)
    t.equal(r.code, 0, `label create ${name}: ${r.stderr}`)
  }
  // The mount caches its label listing briefly, like any live listing.
  await new Promise(resolve => setTimeout(resolve, 2500))
  const ls = await run('ls', ['-a', `${m.dir}/${h.bucket}`])
  t.same(ls.stdout.split('\n').filter(l => l !== '' && l !== '.' && l !== '..').sort(), ['@latest', '@snap', '@sub', '@window'])
  for (const [name, , state, link] of labels) {
    t.same(Object.fromEntries(await hashTree(`${m.dir}/${h.bucket}/@${name}`)), expected(state).files, `@${name} equals the oracle`)
    t.equal((await run('readlink', [`${m.dir}/@labels/${name}`])).stdout.trim(), link, `/@labels/${name} says what it means`)
    t.same(Object.fromEntries(await hashTree(`${m.dir}/@labels/${name}/`)), expected(state).files, `/@labels/${name} leads to the same view`)
  }
  const unknown = await run('ls', [`${m.dir}/${h.bucket}/@no-such-label`])
  t.not(unknown.code, 0)
  t.match(unknown.stderr, /No such file or directory/)
})
