// `infinstor label …`: every bad input and fault with its message and exit code, races, and store settings.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, ListObjectsV2Command, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { startMoto } from '../../src/demo/moto.js'
import { nextSecond } from '../../src/demo/seed.js'
import { BIN, s3env, type CliResult } from '../helpers/s3env.js'

t.test('label command', async t => {
  const env = await s3env(t)
  const xdg = await mkdtemp(join(tmpdir(), 'infinstor-cli-label-'))
  t.teardown(async () => { await rm(xdg, { recursive: true, force: true }) })
  const base = { XDG_CONFIG_HOME: xdg, INFINSTOR_SETTLE_MARGIN_MS: '1000' }
  const cli = async (...args: string[]): Promise<CliResult> => await env.cli(args, base)
  const put = async (bucket: string, key: string, body: string): Promise<void> => {
    await env.raw.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))
  }
  const versioned = async (bucket: string): Promise<void> => {
    await env.raw.send(new CreateBucketCommand({ Bucket: bucket }))
    await env.raw.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }))
  }
  await versioned('data')
  await versioned('labelstore')
  await nextSecond()
  await put('data', 'q4/a.csv', 'one')
  await put('data', 'q4/b.csv', 'two')
  await nextSecond()
  const T1 = formatInstant(Date.now())
  await nextSecond()
  await put('data', 'q4/a.csv', 'one, changed')
  // T2 must be settled when the labels are made, whatever the server's clock
  // shows: its Date header counts whole seconds, and a label needs a time a
  // second (the clock's resolution) and the settle margin before it. On a fast
  // machine a T2 only 1.1 s back was refused now and then (exit 2).
  await new Promise(resolve => setTimeout(resolve, 4200))
  const T2 = formatInstant(Date.now() - 3100)

  const expectFail = async (t: Tap, args: string[], code: number, message: RegExp, extra = {}): Promise<void> => {
    const r = await env.cli(args, { ...base, ...extra })
    t.equal(r.code, code, `${args.join(' ')} exits ${code}`)
    t.match(r.stderr, message, `${args.join(' ')}: ${r.stderr.trim()}`)
    t.equal(r.stdout, '', 'and prints nothing on stdout')
  }
  type Tap = typeof t

  await t.test('create, ls, show, rm', async t => {
    const r = await cli('label', 'create', 'train-v3', `s3://data/q4@${T1}`, '-m', 'model v3 saw this')
    t.equal(r.code, 0, r.stderr)
    t.equal(r.stdout, `created label train-v3: s3://data/q4/@${T1}\n`)
    t.equal((await cli('label', 'create', 'all-data', `s3://data@${T1}..${T2}`)).code, 0)
    const ls = JSON.parse((await cli('label', 'ls', '--json')).stdout) as Array<Record<string, string>>
    t.same(ls.map(l => l.name), ['all-data', 'train-v3'])
    t.match(ls[1], { bucket: 'data', prefix: 'q4/', spec: T1, description: 'model v3 saw this', target: `s3://data/q4/@${T1}`, creator: /.+@.+/ })
    t.same(JSON.parse((await cli('label', 'ls', '--json', '--bucket', 'nothere')).stdout), [])
    t.match((await cli('label', 'ls')).stdout, /^all-data {2}s3:\/\/data\/@.*\ntrain-v3 {2}s3:\/\/data\/q4\/@.*"model v3 saw this"\n$/)
    const show = await cli('label', 'show', 'all-data')
    t.match(show.stdout, `slice:       ingested after ${T1}, live at ${T2}`)
    t.match(show.stdout, 'path:        (the whole bucket)')
    t.same(JSON.parse((await cli('label', 'show', '--json', 'train-v3')).stdout).spec, T1)
    t.equal((await cli('cat', 's3://data/a.csv@train-v3')).stdout, 'one', 'the label\'s view is rooted at its path')
    t.equal((await cli('cat', 's3://data/q4/a.csv@all-data')).stdout, 'one, changed')
    t.equal((await cli('ls', 's3://data/q4@all-data')).stdout, 'a.csv\n', 'a slice label shows what was ingested')
    t.equal((await cli('label', 'create', 'from-label', 's3://data@train-v3')).code, 0, 'a label of a label')
    t.equal(JSON.parse((await cli('label', 'show', '--json', 'from-label')).stdout).target, `s3://data/q4/@${T1}`)

    await expectFail(t, ['label', 'rm', 'from-label'], 2, /permanent.*pass --force/)
    const rm = await cli('label', 'rm', 'from-label', '--force')
    t.equal(rm.code, 0, rm.stderr)
    t.match(rm.stdout, /deleted label from-label .*the name stays reserved/)
    await expectFail(t, ['label', 'show', 'from-label'], 3, /label 'from-label' was deleted on .* by .*\(it named s3:\/\/data\/q4\/@/)
    await expectFail(t, ['ls', 's3://data@from-label'], 3, /label 'from-label' was deleted/)
    await expectFail(t, ['label', 'create', 'from-label', `s3://data@${T1}`], 8, /was deleted .*never reused.*choose another name/)
    await expectFail(t, ['label', 'rm', 'from-label', '--force'], 3, /was deleted/)
  })

  await t.test('bad input', async t => {
    const T = `s3://data@${T1}`
    await expectFail(t, ['label', 'create', 'a/b', T], 2, /'a\/b' is not a valid label name/)
    await expectFail(t, ['label', 'create', '.hidden', T], 2, /not a valid label name/)
    await expectFail(t, ['label', 'create', 'x'.repeat(129), T], 2, /1 to 128 characters/)
    await expectFail(t, ['label', 'create', '2022-12-06', T], 2, /'2022-12-06' looks like a time/)
    await expectFail(t, ['label', 'create', 'latest', T], 2, /'latest' looks like a time/)
    await expectFail(t, ['label', 'create', 'tm20221206000000', T], 2, /looks like a time/)
    await expectFail(t, ['label', 'create', 'train-v3', T], 8, /label 'train-v3' already exists: s3:\/\/data\/q4\/@/)
    await expectFail(t, ['label', 'create', 'x1', `s3://no-such-bucket@${T1}`], 3, /bucket 'no-such-bucket' does not exist/)
    await expectFail(t, ['label', 'show', 'nope'], 3, /no label named 'nope' in the label store .*labels.json/)
    await expectFail(t, ['ls', 's3://data@nope'], 3, /no label named 'nope'/)
    await expectFail(t, ['cat', 's3://data/a.csv@nope'], 3, /no label named 'nope'/)
    await expectFail(t, ['label', 'create', 'x2', 's3://data@2099-01-01'], 2, /is in the future/)
    await expectFail(t, ['label', 'create', 'x3', `s3://data@${T1}..2099-01-01`], 2, /is in the future/)
    // Settled under a 1 s margin, not under a 10 min one: independent of how long the command takes.
    await expectFail(t, ['label', 'create', 'x4', `s3://data@${T2}`], 2,
      /too recent to label: history after .* can still change \(settle margin 600000 ms\)/, { INFINSTOR_SETTLE_MARGIN_MS: '600000' })
    await expectFail(t, ['label', 'create', 'x5', 's3://data'], 2, /has no time/)
    await expectFail(t, ['label', 'create', 'x6', 's3://data@latest'], 2, /never 'latest'/)
    await expectFail(t, ['label', 'create', 'x7', `s3://data/nothing-here@${T1}`], 3, /s3:\/\/data\/nothing-here\/ holds nothing at/)
    await expectFail(t, ['label', 'create', 'x8', `s3://data/q4/a.csv@${T1}`], 3, /holds nothing.*a label names a folder/)
    await expectFail(t, ['label', 'create', 'x9'], 2, /expected: infinstor label create NAME/)
    await expectFail(t, ['label', 'ls', '-m', 'x'], 2, /label ls takes no --message/)
    await expectFail(t, ['label'], 2, /missing label subcommand/)
    await expectFail(t, ['label', 'toString'], 2, /unknown label subcommand 'toString'/)
    await expectFail(t, ['label', 'ls', '--bucket', 'Bad_Name'], 2, /not a valid bucket name/)
    await env.raw.send(new CreateBucketCommand({ Bucket: 'plain-data' }))
    await put('plain-data', 'f', 'x')
    await expectFail(t, ['label', 'create', 'x10', `s3://plain-data@${T1}`], 4, /never had versioning/)
    t.same((JSON.parse((await cli('label', 'ls', '--json')).stdout) as Array<{ name: string }>).map(l => l.name),
      ['all-data', 'train-v3'], 'no failed command left a label behind')
  })

  await t.test('a corrupt local store is reported and left alone', async t => {
    const broken = join(xdg, 'broken')
    await mkdir(join(broken, 'infinstor'), { recursive: true })
    const file = join(broken, 'infinstor', 'labels.json')
    await writeFile(file, '{"format": "infinstor-labels/1", "labels": [{"name": "tr')
    const x = { XDG_CONFIG_HOME: broken }
    await expectFail(t, ['label', 'ls'], 9, /label store .*labels.json is corrupt: it is not valid JSON.*Nothing was changed/, x)
    await expectFail(t, ['ls', 's3://data@train-v3'], 9, /is corrupt/, x)
    await expectFail(t, ['label', 'create', 'new', `s3://data@${T1}`], 9, /is corrupt/, x)
    t.equal(await readFile(file, 'utf8'), '{"format": "infinstor-labels/1", "labels": [{"name": "tr', 'untouched')
    const ok = await env.cli(['ls', `s3://data/q4@${T1}`], x)
    t.equal(ok.code, 0, 'views that need no label do not read the store')
  })

  await t.test('the shared store: flag, environment and config file', async t => {
    const store = 's3://labelstore/team/'
    const r = await cli('label', 'create', '--label-store', store, 'shared-1', `s3://data/q4@${T1}`)
    t.equal(r.code, 0, r.stderr)
    t.equal((await cli('cat', '--label-store', store, 's3://data/a.csv@shared-1')).stdout, 'one')
    t.equal((await env.cli(['cat', 's3://data/b.csv@shared-1'], { ...base, INFINSTOR_LABEL_STORE: store })).stdout, 'two')
    const config = join(xdg, 'shared-config.json')
    await writeFile(config, JSON.stringify({ 'label-store': store }))
    const viaConfig = await env.cli(['label', 'ls', '--json'], { ...base, INFINSTOR_CONFIG: config })
    t.same((JSON.parse(viaConfig.stdout) as Array<{ name: string }>).map(l => l.name), ['shared-1'])
    await expectFail(t, ['label', 'show', 'shared-1'], 3, /no label named 'shared-1' in the label store .*labels.json/)
    await put('labelstore', 'team/bad/label.json', 'not json at all')
    await expectFail(t, ['label', 'ls', '--label-store', store], 9,
      /label store object s3:\/\/labelstore\/team\/bad\/label.json \(version .*\) is corrupt/)
    await expectFail(t, ['label', 'create', '--label-store', 's3://Bad_Bucket/x', 'y', `s3://data@${T1}`], 2, /setting label-store \(from --label-store\) .*'s3:\/\/Bad_Bucket\/x'/)
  })

  await t.test('a store mixed with data, or one that cannot be written, is refused for writes too', async t => {
    const mixed = 's3://data/q4/'
    await expectFail(t, ['label', 'ls', '--label-store', mixed], 9, /label store s3:\/\/data\/q4\/ is corrupt: it holds s3:\/\/data\/q4\/a.csv/)
    await expectFail(t, ['label', 'create', '--label-store', mixed, 'into-data', `s3://data/q4@${T1}`], 9, /label store s3:\/\/data\/q4\/ is corrupt/)
    await expectFail(t, ['label', 'rm', '--force', '--label-store', mixed, 'into-data'], 9, /is corrupt/)
    const keys = await env.raw.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: 'q4/' }))
    t.same((keys.Contents ?? []).map(o => o.Key).sort(), ['q4/a.csv', 'q4/b.csv'], 'nothing was written among the data')
    await expectFail(t, ['label', 'create', '--label-store', '/proc/labels.json', 'nowhere', `s3://data/q4@${T1}`], 6,
      /^infinstor: cannot write label store \/proc\/labels.json \(ENOENT[^\n]*\n$/)
  })

  await t.test('label commands killed at any moment leave no lock or temporary files behind', async t => {
    const home = await mkdtemp(join(tmpdir(), 'infinstor-killed-'))
    t.teardown(async () => { await rm(home, { recursive: true, force: true }) })
    const dir = join(home, 'infinstor')
    const spawnCreate = (name: string): ChildProcess => spawn(process.execPath, [BIN, 'label', 'create', name, `s3://data/q4@${T1}`],
      { env: { ...env.env, ...base, XDG_CONFIG_HOME: home }, stdio: 'ignore' })
    const exited = async (c: ChildProcess): Promise<void> => { if (c.exitCode === null && c.signalCode === null) await once(c, 'exit') }
    const started = Date.now()
    t.equal((await env.cli(['label', 'create', 'first', `s3://data/q4@${T1}`], { ...base, XDG_CONFIG_HOME: home })).code, 0)
    const oneCreateMs = Date.now() - started
    // Killed while waiting for the lock: a live holder (this process) keeps them waiting until they are all in line.
    await writeFile(join(dir, 'labels.json.lock'), JSON.stringify({ pid: process.pid, host: hostname(), nonce: 'test' }))
    const waiting = Array.from({ length: 6 }, (_, i) => spawnCreate(`waiter-${i}`))
    const inLine = async (): Promise<number> => (await readdir(dir)).filter(n => n.startsWith('labels.json.lock.')).length
    for (const deadline = Date.now() + 60_000; await inLine() < waiting.length && Date.now() < deadline;) {
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    t.equal(await inLine(), waiting.length, 'every command is waiting for the lock')
    for (const c of waiting) c.kill('SIGKILL')
    await Promise.all(waiting.map(exited))
    await rm(join(dir, 'labels.json.lock'))
    // Killed at random moments within a command's time, in the middle of
    // writing too, until some kill has left files behind (how long a command
    // takes depends on the machine's load).
    for (let round = 0; round < 12 || ((await readdir(dir)).length === 1 && round < 60); round++) {
      const runs = Array.from({ length: 3 }, (_, i) => spawnCreate(`random-${round}-${i}`))
      await new Promise(resolve => setTimeout(resolve, Math.random() * oneCreateMs * 1.2))
      for (const c of runs) c.kill('SIGKILL')
      await Promise.all(runs.map(exited))
    }
    t.ok((await readdir(dir)).length > 1, `the kills left files behind: ${(await readdir(dir)).join(', ')}`)
    const last = await env.cli(['label', 'create', 'last', `s3://data/q4@${T1}`], { ...base, XDG_CONFIG_HOME: home })
    t.equal(last.code, 0, last.stderr)
    t.same(await readdir(dir), ['labels.json'], 'the next command removed them all')
    const names = (JSON.parse((await env.cli(['label', 'ls', '--json'], { ...base, XDG_CONFIG_HOME: home })).stdout) as Array<{ name: string }>).map(l => l.name)
    t.ok(names.includes('first') && names.includes('last'), 'and no label was lost')
  })

  await t.test('an unreachable shared store', async t => {
    const gone = await startMoto()
    await gone.stop()
    await expectFail(t, ['label', 'ls', '--label-store', 's3://labelstore/team/', '--s3-attempts', '1'], 6,
      /label store s3:\/\/labelstore\/team\/ is unreachable/, { AWS_ENDPOINT_URL: gone.endpoint })
  })

  const race = async (t: Tap, name: string, extra: NodeJS.ProcessEnv): Promise<void> => {
    const runs = await Promise.all(['p1', 'p2', 'p3'].map(async who => await new Promise<CliResult>(resolve => {
      execFile(process.execPath, [BIN, 'label', 'create', name, `s3://data/q4@${T1}`, '-m', who],
        { env: { ...env.env, ...base, ...extra } }, (err, stdout, stderr) => {
          resolve({ code: err === null ? 0 : Number(err.code), stdout, stderr })
        })
    })))
    const winners = runs.filter(r => r.code === 0)
    t.equal(winners.length, 1, 'exactly one creator wins')
    for (const loser of runs.filter(r => r.code !== 0)) {
      t.equal(loser.code, 8, 'the others get a conflict')
      t.match(loser.stderr, new RegExp(`label '${name}' already exists`))
    }
    const shown = await env.cli(['label', 'show', '--json', name], { ...base, ...extra })
    const description = JSON.parse(shown.stdout).description as string
    t.match(winners[0]?.stdout, `created label ${name}`)
    t.ok(['p1', 'p2', 'p3'].includes(description), `the stored label is one creator's (${description})`)
  }

  await t.test('three processes create one name at once: local store', async t => {
    for (let round = 0; round < 3; round++) await race(t, `raced-local-${round}`, {})
  })

  await t.test('three processes create one name at once: shared store', async t => {
    for (let round = 0; round < 3; round++) await race(t, `raced-s3-${round}`, { INFINSTOR_LABEL_STORE: 's3://labelstore/race/' })
  })
})
