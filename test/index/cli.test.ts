// `infinstor index` from the command line, both engines: sweeps, status,
// schema versions, and stores that must not be used (exit 9).
import { spawnSync } from 'node:child_process'
import { openSync, readFileSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import Database from 'better-sqlite3'
import pg from 'pg'
import t from 'tap'
import { openIndex, type IndexStore } from '../../src/index/open.js'
import { SCHEMA_VERSION } from '../../src/index/schema.js'
import { BIN, s3env } from '../helpers/s3env.js'
import { indexEngines } from '../helpers/index-engines.js'

t.test('index BUCKET and index --status, in both engines', async t => {
  const env = await s3env(t)
  const engines = await indexEngines(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'ix-cli' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'ix-cli', VersioningConfiguration: { Status: 'Enabled' } }))
  for (let i = 0; i < 12; i++) await env.raw.send(new PutObjectCommand({ Bucket: 'ix-cli', Key: `f${i % 5}`, Body: 'x'.repeat(i) }))
  for (const e of engines) {
    await t.test(e.name, async t => {
      const { setting, store } = await e.fresh()
      const run = async (...args: string[]): ReturnType<typeof env.cli> => await env.cli(args, { INFINSTOR_INDEX: setting })
      const none = await run('index', '--status', 'ix-cli')
      t.equal(none.code, 3, 'a bucket not in the index: not found')
      t.match(none.stderr, /not in the history index/)
      const swept = await run('index', 's3://ix-cli', '--index-page-size', '4')
      t.equal(swept.code, 0, swept.stderr)
      t.match(swept.stdout, /^indexed s3:\/\/ix-cli: 12 versions and delete markers listed in 3 pages .*views up to \S+Z now come from the index\n$/)
      t.equal(swept.stderr, '', 'no progress line without a terminal')
      const text = await run('index', '--status')
      t.equal(text.code, 0)
      t.match(text.stdout, /bucket: +ix-cli\nindex: +(sqlite|postgres) .*\nendpoint: +http:\/\/127\.0\.0\.1:\d+\nversions: +12 versions, 0 delete markers; 5 objects \(\d+ B\) at the last update\nwatermark: +\S+Z \(lag \d+ s behind now\)\nlast sweep: +\S+Z .*\nlast event: +none\n/)
      if (e.name === 'postgres') t.notMatch(text.stdout, /postgres:\/\/[^@\s]*:[^@\s]*@/, 'no password shown')
      const json = await run('index', '--status', 'ix-cli', '--json')
      const s = JSON.parse(json.stdout) as { engine: string, buckets: Array<Record<string, unknown>> }
      t.equal(s.engine, e.name)
      t.match(s.buckets[0], { bucket: 'ix-cli', versioning: 'Enabled', versions: 12, deleteMarkers: 0, liveObjects: 5, lastEvent: undefined })
      t.ok(typeof s.buckets[0].lagMs === 'number' && (s.buckets[0].lagMs as number) > 0, 'lag behind now')
      t.equal((await store.bucket('ix-cli'))?.versions, 12)
      const bad = await run('index', 'ix-cli', '--index-page-size', '5000')
      t.equal(bad.code, 2, 'a bad page size is a usage error')
      t.match(bad.stderr, /index-page-size/)
      const missing = await run('index', 'no-such-bucket-here')
      t.equal(missing.code, 3, missing.stderr)
    })
  }
})

t.test('a fresh `infinstor ls` of an indexed bucket loads no S3 client: the index answers alone', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'ix-fresh' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'ix-fresh', VersioningConfiguration: { Status: 'Enabled' } }))
  for (let i = 0; i < 6; i++) await env.raw.send(new PutObjectCommand({ Bucket: 'ix-fresh', Key: `d/f${i % 3}`, Body: 'x'.repeat(i) }))
  const dir = t.testdir({
    // Counts, as the process exits, the AWS SDK's modules it loaded: any request to S3 needs them.
    'probe.cjs': "process.on('exit', () => { const n = Object.keys(require.cache).filter(p => p.includes('/@aws-sdk/')).length; require('fs').writeSync(2, `aws-sdk modules: ${n}\\n`) })\n"
  })
  const ix = { INFINSTOR_INDEX: join(dir, 'i.sqlite'), INFINSTOR_SETTLE_MARGIN_MS: '0' }
  const swept = await env.cli(['index', 'ix-fresh'], ix)
  t.equal(swept.code, 0, swept.stderr)
  const at = /views up to (\S+Z) now come from the index/.exec(swept.stdout)?.[1] as string
  const probed = { ...ix, NODE_OPTIONS: `--require ${join(dir, 'probe.cjs')}` }
  const ls = await env.cli(['ls', '-l', `s3://ix-fresh/d/@${at}`], probed)
  t.equal(ls.code, 0, ls.stderr)
  t.match(ls.stdout, /^ +3 .* f0\n +4 .* f1\n +5 .* f2\n$/, 'the folder at T, from the index')
  t.match(ls.stderr, /aws-sdk modules: 0\n/, 'no S3 client was even loaded')
  // The probe can fail: a view the index does not cover (after its watermark) reads S3.
  const live = await env.cli(['ls', 's3://ix-fresh/d/@latest'], probed)
  t.equal(live.code, 0, live.stderr)
  t.match(live.stderr, /aws-sdk modules: [1-9]/, 'latest reads S3')
})

t.test('a sweep on a terminal shows its progress', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'ix-tty' }))
  for (let i = 0; i < 30; i++) await env.raw.send(new PutObjectCommand({ Bucket: 'ix-tty', Key: `k${i}`, Body: 'x' }))
  const dir = t.testdir()
  // util-linux `script` gives the command a pseudo-terminal.
  const r = spawnSync('script', ['-qec', `${process.execPath} ${BIN} index ix-tty --index-page-size 1`, '/dev/null'], {
    env: { ...env.env, INFINSTOR_INDEX: join(dir, 'i.sqlite'), INFINSTOR_SETTLE_MARGIN_MS: '0' }, encoding: 'utf8', timeout: 120_000
  })
  t.equal(r.status, 0, r.stdout + r.stderr)
  t.match(r.stdout, /\r\x1b\[Ks3:\/\/ix-tty: \d+ pages, \d+ versions, \d+ versions\/s, 0:\d\d elapsed/, 'pages, versions per second, elapsed')
  t.match(r.stdout, /indexed s3:\/\/ix-tty: 30 versions/)
})

t.test('stores that are not an index of this version are never used: exit 9', async t => {
  const env = await s3env(t)
  const dir = t.testdir()
  const status = async (setting: string): ReturnType<typeof env.cli> => await env.cli(['index', '--status'], { INFINSTOR_INDEX: setting })

  const garbage = join(dir, 'garbage.sqlite')
  writeFileSync(garbage, 'this is not a database at all, just some text that is long enough to be a header'.repeat(100))
  let r = await status(garbage)
  t.equal(r.code, 9, 'a file that is not SQLite')
  t.match(r.stderr, /damaged or not an SQLite database/)
  t.equal(readFileSync(garbage, 'utf8').slice(0, 12), 'this is not ', 'and it is left as it was')

  const foreign = join(dir, 'foreign.sqlite')
  const db = new Database(foreign)
  db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)')
  db.close()
  r = await status(foreign)
  t.equal(r.code, 9, 'an SQLite file of another application')
  t.match(r.stderr, /holds other tables \(customers\), not an InfinStor index/)

  const newer = join(dir, 'newer.sqlite')
  await (await openIndex(newer, { create: true }) as IndexStore).close()
  const db2 = new Database(newer)
  db2.prepare("UPDATE infinstor_meta SET value = ? WHERE name = 'schema_version'").run(String(SCHEMA_VERSION + 1))
  db2.close()
  r = await status(newer)
  t.equal(r.code, 9, 'a schema from a newer InfinStor')
  t.match(r.stderr, /written by a newer InfinStor/)

  const damaged = join(dir, 'damaged.sqlite')
  const store = await openIndex(damaged, { create: true }) as IndexStore
  await store.writes.ensureBucket('b', 'test')
  await store.close()
  const size = statSync(damaged).size
  const fd = openSync(damaged, 'r+')
  writeSync(fd, Buffer.alloc(size - 4096, 0xa5), 0, size - 4096, 4096)
  closeSync(fd)
  r = await status(damaged)
  t.equal(r.code, 9, 'an index whose pages were overwritten')
  t.match(r.stderr, /damaged/)
  t.notMatch(r.stderr, /\n {4}at /, 'no stack trace')

  const pgs = await indexEngines(t)
  const url = (await (pgs[1]).fresh()).setting
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query("UPDATE infinstor_meta SET value = 'someone-else' WHERE name = 'format'")
  await client.end()
  r = await status(url)
  t.equal(r.code, 9, 'PostgreSQL tables of another format')
  t.match(r.stderr, /foreign schema/)
})

t.test('an older schema is migrated when opened', async t => {
  const dir = t.testdir()
  const file = join(dir, 'v0.sqlite')
  const db = new Database(file)
  db.exec("CREATE TABLE infinstor_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO infinstor_meta VALUES ('format', 'infinstor-history-index'), ('schema_version', '0')")
  db.close()
  const store = await openIndex(file, { create: false }) as IndexStore
  t.ok(store !== undefined, 'opened')
  t.same(await store.buckets(), [], 'and usable')
  await store.close()
  const after = new Database(file)
  t.equal((after.prepare("SELECT value FROM infinstor_meta WHERE name = 'schema_version'").get() as { value: string }).value, String(SCHEMA_VERSION))
  after.close()
  t.equal(await openIndex(join(dir, 'absent.sqlite'), { create: false }), undefined, 'without create, no store is made')
})
