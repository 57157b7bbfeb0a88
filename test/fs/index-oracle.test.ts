// The mount through the history index: every settled view equals the
// oracle, byte for byte, and its listings cost no S3 request.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { buildHistory, slice, snapshot, type State } from '../helpers/history.js'
import { dirTree, hashTree, mountTree } from '../helpers/mount.js'
import { expected } from '../helpers/mount-oracle.js'
import { s3env } from '../helpers/s3env.js'

t.test('a mount reads settled views from the index', async t => {
  const env = await s3env(t)
  const histories = await Promise.all([61, 62].map(async seed =>
    await buildHistory(env.raw, `fs-ix-${seed}`, { seed, steps: 6, nullSteps: 1 })))
  await new Promise(resolve => setTimeout(resolve, 2500))
  const m = await mountTree(t, env, { args: ['--port', '0'], extraEnv: { INFINSTOR_SETTLE_MARGIN_MS: '1000' } })
  const index = join(m.env.XDG_STATE_HOME as string, 'index.sqlite')
  for (const h of histories) {
    const r = await env.cli(['index', h.bucket], { INFINSTOR_INDEX: index, INFINSTOR_SETTLE_MARGIN_MS: '1000' })
    t.equal(r.code, 0, r.stderr)
  }
  // A second mount over the same buckets, with the index: compared with the oracle and counted.
  await m.unmount()
  const ix = await mountTree(t, env, { args: ['--port', '0'], extraEnv: { INFINSTOR_SETTLE_MARGIN_MS: '1000', INFINSTOR_INDEX: index } })
  const url = /HTTP API \(Jupyter contents, InfinStor\) at (\S+);/.exec(ix.log())?.[1]
  t.ok(url, `the mount serves its API (${ix.log()})`)
  const token = readFileSync(join(ix.env.XDG_CONFIG_HOME as string, 'infinstor', 'token'), 'utf8').trim()
  const requests = async (): Promise<Record<string, number>> =>
    ((await (await fetch(`${url as string}/api/infinstor/info`, { headers: { Authorization: `token ${token}` } })).json()) as { s3Requests: Record<string, number> }).s3Requests
  for (const h of histories) {
    const views: Array<[string, State]> = h.at.map((at, i) => [`@${formatInstant(at)}`, snapshot(h, i)])
    for (const [i, j] of [[0, h.at.length - 1], [1, 3]]) views.push([`@${formatInstant(h.at[i])}..${formatInstant(h.at[j])}`, slice(h, i, j)])
    for (const [spec, state] of views) {
      const base = `${ix.dir}/${h.bucket}/${spec}`
      const want = expected(state)
      t.same(Object.fromEntries(await hashTree(base)), want.files, `${h.bucket}/${spec}: files and bytes`)
      t.same(await dirTree(base), want.dirs, `${h.bucket}/${spec}: directories`)
    }
  }
  const counted = await requests()
  t.equal(counted.ListObjectVersions ?? 0, 0, `no version listing: ${JSON.stringify(counted)}`)
  t.equal(counted.GetBucketVersioning ?? 0, 0, 'no versioning request')
  t.ok((counted.GetObject ?? 0) > 0, 'bytes still come from S3')
})
