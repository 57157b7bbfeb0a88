// `serve`, `ui` and `index --watch` stop cleanly on a hangup (their terminal
// closing), even with a SIGTERM right behind or just before it, and then end
// by the hangup as a terminal program does.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import { BIN, s3env } from '../helpers/s3env.js'
import { tempDir } from '../helpers/temp.js'

interface Started { child: ChildProcess, output: () => string }

async function start (args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<Started> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout?.setEncoding('utf8').on('data', (s: string) => { output += s })
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { output += s })
  for (const deadline = Date.now() + 60_000; !ready.test(output); await new Promise(resolve => setTimeout(resolve, 50))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${args.join(' ')} did not get ready: ${output}`)
  }
  return { child, output: () => output }
}

/** Sends `first` and, `gapMs` later, `second`; resolves with how the process ended. */
async function hangUp ({ child }: Started, first: NodeJS.Signals = 'SIGHUP', second: NodeJS.Signals = 'SIGTERM', gapMs = 0): Promise<[number | null, NodeJS.Signals | null]> {
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  child.kill(first)
  if (gapMs > 0) await new Promise(resolve => setTimeout(resolve, gapMs))
  child.kill(second)
  return await exit
}

t.test('a hangup stops each long-running command cleanly, and it ends by the hangup', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'hangup' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'hangup', VersioningConfiguration: { Status: 'Enabled' } }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'hangup', Key: 'a.txt', Body: 'a' }))
  const home = tempDir(t, 'hangup')
  const base = { ...env.env, XDG_CONFIG_HOME: home, XDG_STATE_HOME: home }

  for (const [name, args, ready] of [
    ['serve', ['serve', '--port', '0', '--s3-port', '0'], /S3 gateway on/],
    ['ui', ['ui', '--no-open', '--port', '0'], /infinstor dashboard: /]
  ] as const) {
    const running = await start([...args], base, ready)
    t.same(await hangUp(running), [null, 'SIGHUP'], `${name}: ended by the hangup, once stopped`)
    t.match(running.output(), /infinstor: stopping \(SIGHUP\)/, `${name}: says it is stopping, and why`)
  }
  // The SIGTERM first (signals sent together reach Node's threads in either
  // order): the terminal is gone all the same, so it still ends by the hangup.
  const late = await start(['serve', '--port', '0', '--s3-port', '0'], base, /S3 gateway on/)
  t.same(await hangUp(late, 'SIGTERM', 'SIGHUP', 20), [null, 'SIGHUP'], 'serve: a hangup just after a SIGTERM still ends it by the hangup')
  t.match(late.output(), /infinstor: stopping \(SIG(HUP|TERM)\)/, 'serve: says it is stopping')

  const index = join(home, 'index.sqlite')
  const watching = await start(['index', 'hangup', '--watch', '--index-sweep-interval', '3600'], { ...base, INFINSTOR_INDEX: index }, /indexed s3:\/\/hangup/)
  t.ok(existsSync(`${index}-wal`), 'index --watch: its SQLite write-ahead log is open while it runs')
  t.same(await hangUp(watching), [null, 'SIGHUP'], 'index --watch: ended by the hangup, once stopped')
  t.match(watching.output(), /infinstor: stopping \(SIGHUP\)/, 'index --watch: says it is stopping, and why')
  t.notOk(existsSync(`${index}-wal`), 'index --watch: the index was closed (SQLite folds its log in on close)')
  const status = await env.cli(['index', '--status'], { INFINSTOR_INDEX: index })
  t.equal(status.code, 0, 'and the index opens afterwards')
})
