// The CLI against the oracle: ls, cat, diff, log, cp on a random history in real S3.
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { buildHistory, diff, sha, slice, snapshot, type State } from '../helpers/history.js'
import { BIN, s3env } from '../helpers/s3env.js'
import { tempDir } from '../helpers/temp.js'

interface Row { name: string, type: string, size?: number, versionId?: string }

t.test('ls, cat, diff, log and cp equal the oracle', async t => {
  const env = await s3env(t)
  const h = await buildHistory(env.raw, 'cli-hist', { seed: 7, steps: 6, nullSteps: 1 })
  const at = h.at.map(formatInstant)
  const files = (s: State): string[] => [...s.keys()].filter(k => !k.endsWith('/')).sort()

  const catBytes = async (url: string): Promise<Buffer> => await new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, 'cat', url], { env: env.env, encoding: 'buffer', maxBuffer: 1 << 26 },
      (err, stdout) => err === null ? resolve(stdout) : reject(err))
  })

  for (let i = 0; i < at.length; i++) {
    const want = snapshot(h, i)
    const r = await env.cli(['ls', '-R', '--json', `s3://${h.bucket}@${at[i]}`])
    t.equal(r.code, 0, r.stderr)
    const rows = JSON.parse(r.stdout) as Row[]
    t.same(rows.map(x => x.name).sort(), files(want), `ls -R at step ${i}`)
    t.same(rows.map(x => x.size), rows.map(x => want.get(x.name)?.length), `sizes at step ${i}`)
    const top = JSON.parse((await env.cli(['ls', '--json', `s3://${h.bucket}@${at[i]}`])).stdout) as Row[]
    const wantTop = new Set([...want.keys()].map(k => k.includes('/') ? k.slice(0, k.indexOf('/')) + '/' : k))
    t.same(top.map(x => x.name + (x.type === 'dir' ? '/' : '')).sort(), [...wantTop].sort(), `ls at step ${i}`)
  }
  const last = snapshot(h, at.length - 1)
  for (const [key, body] of last) {
    if (key.endsWith('/')) continue
    t.equal(sha(await catBytes(`s3://${h.bucket}/${key}@${at[at.length - 1]}`)), sha(body), `cat ${JSON.stringify(key)}`)
  }
  for (const [i, j] of [[0, at.length - 1], [1, 3]]) {
    const r = await env.cli(['diff', '--json', `s3://${h.bucket}@${at[i]}`, `@${at[j]}`])
    t.equal(r.code, 0, r.stderr)
    const changes = JSON.parse(r.stdout) as Array<{ key: string, change: string }>
    const of = (kind: string): string[] => changes.filter(c => c.change === kind).map(c => c.key).sort()
    t.same({ added: of('added'), modified: of('modified'), deleted: of('deleted') }, diff(h, i, j), `diff ${i} -> ${j}`)
    const s = await env.cli(['ls', '-R', '--json', `s3://${h.bucket}@${at[i]}..${at[j]}`])
    t.same((JSON.parse(s.stdout) as Row[]).map(x => x.name).sort(), files(slice(h, i, j)), `slice ${i}..${j}`)
    const tm = (ms: number): string => 'tm' + formatInstant(ms).replace(/[-:TZ]/g, '').slice(0, 14)
    // tm specs drop the milliseconds; LastModified has whole seconds, so the steps seen stay the same.
    const s2 = await env.cli(['ls', '-R', '--json', `s3://${h.bucket}@${tm(h.at[i])}-${tm(h.at[j])}`])
    t.same((JSON.parse(s2.stdout) as Row[]).map(x => x.name).sort(), files(slice(h, i, j)), `tm slice ${i}-${j}`)
  }
  for (const key of h.keys.filter(k => h.ops.some(o => o.key === k)).slice(0, 6)) {
    const r = await env.cli(['log', '--json', `s3://${h.bucket}/${key}`])
    t.equal(r.code, 0, r.stderr)
    const log = JSON.parse(r.stdout) as Array<{ deleteMarker: boolean, size: number }>
    const ops = h.ops.filter(o => o.key === key).reverse()
    t.same(log.map(l => l.deleteMarker ? -1 : l.size), ops.map(o => o.body?.length ?? -1), `log ${JSON.stringify(key)}`)
  }
  const dest = tempDir(t, 'cp')
  const cp = await env.cli(['cp', `s3://${h.bucket}/dir@${at[at.length - 1]}`, dest])
  t.equal(cp.code, 0, cp.stderr)
  for (const [key, body] of last) {
    if (!key.startsWith('dir/')) continue
    t.equal(sha(await readFile(join(dest, key.slice(4)))), sha(body), `cp restored ${key}`)
  }
  const again = await env.cli(['cp', `s3://${h.bucket}/dir@${at[0]}`, dest])
  t.equal(again.code, 2, 'cp refuses a non-empty folder')
  t.match(again.stderr, /not empty/)
})
