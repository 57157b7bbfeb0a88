// A view before the bucket's history begins (its horizon: the earliest
// versioned write) is empty, not an error; every surface says why and when
// history begins, against the horizon read independently from S3.
import {
  CreateBucketCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client
} from '@aws-sdk/client-s3'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { startApp } from '../helpers/app.js'
import { s3env } from '../helpers/s3env.js'

const EARLY = '2022-12-06T00:00:00Z'

/** The oracle: the earliest LastModified of a version written with versioning on, from S3 itself. */
async function horizonFromS3 (raw: S3Client, bucket: string): Promise<string> {
  const out = await raw.send(new ListObjectVersionsCommand({ Bucket: bucket }))
  const times = (out.Versions ?? []).filter(v => v.VersionId !== 'null').map(v => (v.LastModified as Date).getTime())
  return formatInstant(Math.min(...times))
}

t.test('before the history horizon: an empty view that says why, on every surface', async t => {
  const env = await s3env(t)
  const { raw } = env
  await raw.send(new CreateBucketCommand({ Bucket: 'hzn' }))
  // A null version first (versioning off), then history.
  await raw.send(new PutObjectCommand({ Bucket: 'hzn', Key: 'pre.txt', Body: 'before versioning' }))
  await raw.send(new PutBucketVersioningCommand({ Bucket: 'hzn', VersioningConfiguration: { Status: 'Enabled' } }))
  await new Promise(resolve => setTimeout(resolve, 1100))
  await raw.send(new PutObjectCommand({ Bucket: 'hzn', Key: 'q4/train.csv', Body: 'a,b\n1,2\n' }))
  await raw.send(new PutObjectCommand({ Bucket: 'hzn', Key: 'q4/train.csv', Body: 'a,b\n1,2\n3,4\n' }))
  await raw.send(new CreateBucketCommand({ Bucket: 'fresh' }))
  await raw.send(new PutBucketVersioningCommand({ Bucket: 'fresh', VersioningConfiguration: { Status: 'Enabled' } }))
  const horizon = await horizonFromS3(raw, 'hzn')
  // Past the settle margin, so that the horizon is settled history.
  await new Promise(resolve => setTimeout(resolve, 2500))

  t.test('CLI: exit 0, an empty listing, and a note with the horizon', async t => {
    for (const args of [['ls', `s3://hzn@${EARLY}`], ['ls', '-R', `s3://hzn@${EARLY}`], ['ls', '-l', `s3://hzn@2022-12-06..${EARLY.replace('06T', '07T')}`]]) {
      const r = await env.cli(args)
      t.equal(r.code, 0, `${args.join(' ')} exits 0 (${r.stderr})`)
      t.equal(r.stdout, '', 'with an empty listing')
      t.match(r.stderr, `is before the history of bucket 'hzn' begins (${horizon}, its earliest versioned write)`, 'and says when history begins')
    }
    const json = await env.cli(['ls', '--json', `s3://hzn@${EARLY}`])
    t.same(JSON.parse(json.stdout), [], '--json still prints valid JSON (the note is on stderr)')
    const sub = await env.cli(['ls', `s3://hzn/q4@${EARLY}`])
    t.equal(sub.code, 3, 'a folder that did not exist yet is not found')
    t.match(sub.stderr, `begins (${horizon}`, '...and the message says why')
    const diff = await env.cli(['diff', `s3://hzn@${EARLY}`, '@2022-12-07'])
    t.equal(diff.code, 0)
    t.match(diff.stderr, `begins (${horizon}`)
    const within = await env.cli(['ls', `s3://hzn@${horizon}`])
    t.equal(within.code, 0)
    t.equal(within.stderr, '', 'a time within history has no note')
    const none = await env.cli(['ls', `s3://fresh@${EARLY}`])
    t.equal(none.code, 0)
    t.match(none.stderr, "bucket 'fresh' has no versioned write yet", 'a bucket with no history yet says so')
  })

  t.test('contents API and dashboard API: a field with the horizon', async t => {
    const app = await startApp(env)
    t.teardown(app.close)
    const model = await app.json(`/api/contents/hzn/@${EARLY}`)
    t.equal(model.type, 'directory')
    t.same(model.content, [], 'the directory is empty')
    t.equal(model.infinstor_history?.horizon, horizon, 'the model says when history begins')
    t.match(model.infinstor_history?.message, 'is before the history of bucket')
    const inside = await app.json(`/api/contents/hzn/@${horizon}`)
    t.equal(inside.infinstor_history, undefined, 'no field within history')
    const dir = await app.json(`/api/infinstor/buckets/hzn/dir?spec=${EARLY}`)
    t.equal(dir.total, 0)
    t.equal(dir.history?.horizon, horizon, 'the dashboard API says it too')
    const files = await app.json(`/api/infinstor/buckets/hzn/files?spec=${EARLY}`)
    t.equal(files.history?.horizon, horizon)
    const now = await app.json('/api/infinstor/buckets/hzn/dir?spec=latest')
    t.equal(now.history, undefined)
    const fresh = await app.json(`/api/infinstor/buckets/fresh/dir?spec=${EARLY}`)
    t.same(fresh.history, { beforeHistory: true, horizon: null, message: fresh.history?.message })
  })

  t.test('engine: cheap, and kept once settled', async t => {
    const engine = env.engine()
    const early = await engine.view('hzn', EARLY)
    const listings = (): number => engine.requests.get('ListObjectVersions') ?? 0
    t.equal(formatInstant(await engine.beforeHorizon(early) as number), horizon, 'the horizon, from one flat listing')
    const after = listings()
    for (let i = 0; i < 5; i++) await engine.beforeHorizon(await engine.view('hzn', '2022-12-0' + String(i + 1)))
    t.equal(listings(), after, 'asked again (any early time): no more listings')
    const other = env.engine()
    await other.readDir(await other.view('hzn', horizon), 'q4/')
    const before = other.requests.get('ListObjectVersions') ?? 0
    t.equal(await other.beforeHorizon(await other.view('hzn', horizon)), undefined, 'a view within history...')
    t.equal(other.requests.get('ListObjectVersions') ?? 0, before, '...is known to be so from its own listing, at no cost')
  })
})
