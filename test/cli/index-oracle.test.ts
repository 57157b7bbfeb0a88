// The CLI through the history index: with S3 unreachable, ls, stat and diff
// at settled times still equal the oracle, so they made no S3 request.
import { once } from 'node:events'
import { connect, createServer, type Socket } from 'node:net'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { buildHistory, diff, slice, snapshot, type State } from '../helpers/history.js'
import { s3env } from '../helpers/s3env.js'
import { indexEngines } from '../helpers/index-engines.js'

interface Row { name: string, type: string, size?: number }

/**
 * A TCP forwarder to moto, so that S3 can go away at the very endpoint the
 * index was swept from (the index serves only that endpoint): `close`
 * leaves its port refusing connections.
 */
async function forwarder (port: number): Promise<{ endpoint: string, close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = createServer(client => {
    const up = connect(port, '127.0.0.1')
    for (const s of [client, up]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => {}) }
    client.pipe(up).pipe(client)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address() as { port: number }
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise(resolve => server.close(resolve))
    }
  }
}

t.test('ls, stat and diff from the index alone equal the oracle, in both engines', async t => {
  const env = await s3env(t)
  const h = await buildHistory(env.raw, 'cli-ix', { seed: 17, steps: 6, nullSteps: 1 })
  await new Promise(resolve => setTimeout(resolve, 2500))
  const at = h.at.map(formatInstant)
  const files = (s: State): string[] => [...s.keys()].filter(k => !k.endsWith('/')).sort()
  for (const ix of await indexEngines(t)) {
    await t.test(ix.name, async t => {
      const { setting, store } = await ix.fresh()
      await store.close()
      const s3 = await forwarder(env.moto.port)
      const swept = await env.cli(['index', h.bucket], { INFINSTOR_INDEX: setting, INFINSTOR_SETTLE_MARGIN_MS: '1000', AWS_ENDPOINT_URL: s3.endpoint })
      t.equal(swept.code, 0, swept.stderr)
      // S3 is gone from the endpoint the index was swept from: any S3 request would fail the command.
      await s3.close()
      const offline = { INFINSTOR_INDEX: setting, AWS_ENDPOINT_URL: s3.endpoint, INFINSTOR_S3_ATTEMPTS: '1' }
      const cli = async (...args: string[]): ReturnType<typeof env.cli> => await env.cli(args, offline)
      for (let i = 0; i < at.length; i++) {
        const r = await cli('ls', '-R', '--json', `s3://${h.bucket}@${at[i]}`)
        t.equal(r.code, 0, r.stderr)
        t.same((JSON.parse(r.stdout) as Row[]).map(x => x.name).sort(), files(snapshot(h, i)), `ls -R at step ${i}`)
      }
      const last = snapshot(h, at.length - 1)
      for (const [key, body] of [...last].filter(([k]) => !k.endsWith('/')).slice(0, 4)) {
        const r = await cli('stat', '--json', `s3://${h.bucket}/${key}@${at[at.length - 1]}`)
        t.equal(r.code, 0, r.stderr)
        t.equal((JSON.parse(r.stdout) as { size: number }).size, body.length, `stat ${JSON.stringify(key)}`)
      }
      for (const [i, j] of [[0, at.length - 1], [1, 3]]) {
        const r = await cli('diff', '--json', `s3://${h.bucket}@${at[i]}`, `@${at[j]}`)
        t.equal(r.code, 0, r.stderr)
        const changes = JSON.parse(r.stdout) as Array<{ key: string, change: string }>
        const of = (kind: string): string[] => changes.filter(c => c.change === kind).map(c => c.key).sort()
        t.same({ added: of('added'), modified: of('modified'), deleted: of('deleted') }, diff(h, i, j), `diff ${i} -> ${j}`)
        const s = await cli('ls', '-R', '--json', `s3://${h.bucket}@${at[i]}..${at[j]}`)
        t.same((JSON.parse(s.stdout) as Row[]).map(x => x.name).sort(), files(slice(h, i, j)), `slice ${i}..${j}`)
      }
      const live = await cli('ls', `s3://${h.bucket}@latest`)
      t.equal(live.code, 6, 'latest needs S3, and says it is unreachable')
      const status = await env.cli(['status', '--json', h.bucket], { INFINSTOR_INDEX: setting })
      t.match(JSON.parse(status.stdout), { index: { engine: ix.name, bucket: h.bucket } }, 'status shows the bucket in the index')
    })
  }
})
