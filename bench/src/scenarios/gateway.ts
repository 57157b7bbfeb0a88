// Scenario 7: the S3 gateway of `infinstor serve` against the same requests
// straight to moto (the backend limit) and against rclone --s3-version-at.
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { formatInstant } from '../../../src/core/timespec.js'
import { snapshot } from '../datasets.js'
import { expectCount, mibPerSecond, MiB, type Bench } from '../measure.js'
import { GATEWAY_PROBE } from '../paths.js'
import { check } from '../proc.js'
import { startGatewayDaemon, type GatewayDaemon } from '../systems/gateway.js'
import { rcloneEnv } from '../systems/rclone.js'
import { CREDENTIALS } from '../systems/types.js'

const CLIENTS = 8
const VIA_GATEWAY = 'through the S3 gateway of a fresh `infinstor serve` (cold cache), signed with a gateway key'
const MOTO = { accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY }

const tm = (t: number): string => 'tm' + formatInstant(t).replace(/[-:TZ]/g, '')

async function probe<T> (job: object, budget: number): Promise<T & { wall: number }> {
  const r = await check('python3', [GATEWAY_PROBE], { input: JSON.stringify(job), timeoutMs: budget })
  return { ...JSON.parse(r.stdout) as T, wall: r.seconds }
}

async function withGateway<T> (b: Bench, fn: (gw: GatewayDaemon) => Promise<T>): Promise<T> {
  const gw = await startGatewayDaemon(b.ctx)
  try {
    return await fn(gw)
  } finally {
    await gw.stop()
  }
}

function sha256File (path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

export async function gateway (b: Bench): Promise<void> {
  const { big, folder } = b.data
  const size = big.contents[0].length
  const budget = b.profile.budgetMs
  const scenario = `7. The S3 gateway: a past ${size / MiB} MiB version and a ${b.profile.dirFiles.toLocaleString('en-US')}-key folder`
  b.rec.define({ id: 'gw-get', scenario, label: 'gateway GET, 1 client', title: 'GET of the oldest version, one curl client', unit: 'MiB/s', better: 'higher' })
  b.rec.define({ id: 'gw-get8', scenario, label: `gateway GET, ${CLIENTS} clients`, title: `${CLIENTS} curl clients at once over the ${big.contents.length} versions, aggregate`, unit: 'MiB/s', better: 'higher' })
  b.rec.define({ id: 'gw-list-first', scenario, label: 'ListObjectsV2, first', title: 'ListObjectsV2 of the folder (delimiter /), the first listing of a fresh daemon or client', unit: 's', better: 'lower' })
  b.rec.define({ id: 'gw-list', scenario, label: 'ListObjectsV2', title: 'ListObjectsV2 of the folder (delimiter /) at further past times, median', unit: 's', better: 'lower' })
  b.rec.define({ id: 'gw-dl', scenario, label: 'download a past version', title: 'Download of the oldest version to a local file: the download itself', unit: 's', better: 'lower' })
  b.rec.define({ id: 'gw-dl-process', scenario, label: 'download, whole process', title: 'The same download, with the client process\'s start-up (python3 and boto3\'s import; rclone\'s)', unit: 's', better: 'lower' })
  const gwGet = (gw: GatewayDaemon, i: number): string => `${gw.url}/@${tm(big.times[i])}/${big.bucket}/${big.key}`
  const rclone = b.mounts.find(s => s.info.id === 'rclone')
  const lastStep = folder.times.length - 1
  // The first listing at one past time, then at up to three more: one version listing answers them all.
  const pastSteps = [1, 2, 3, 4].filter(s => s < lastStep)
  const dlDir = mkdtempSync(join(b.ctx.workDir, 'downloads-'))
  // Patched moto reads an object's bytes out of its store at the first GET, and keeps them: every side
  // gets the versions warm, so no side pays that for the others (S3 has no such first-touch cost).
  if (b.direct !== undefined) {
    await b.direct.fetch(big.events.map(e => ({ url: (b.direct as NonNullable<typeof b.direct>).url(big.bucket, big.key, e.versionId) })), budget)
  }

  for (let rep = 0; rep < b.profile.repetitions; rep++) {
    await b.rec.attempt('gw-get', ['gw-get'], 'infinstor', rep, async () => await withGateway(b, async gw => {
      const r = await (b.direct as NonNullable<typeof b.direct>).fetch([{ url: gwGet(gw, 0) }], budget, gw.creds)
      expectCount('bytes through the gateway', r.bytes, size)
      return { 'gw-get': mibPerSecond(r.bytes, r.seconds) }
    }))
    await b.rec.attempt('gw-get', ['gw-get'], 'direct', rep, async () => {
      const direct = b.direct as NonNullable<typeof b.direct>
      const r = await direct.fetch([{ url: direct.url(big.bucket, big.key, big.events[0].versionId) }], budget)
      expectCount('bytes from moto', r.bytes, size)
      return { 'gw-get': mibPerSecond(r.bytes, r.seconds) }
    })

    await b.rec.attempt('gw-get8', ['gw-get8'], 'infinstor', rep, async () => await withGateway(b, async gw => {
      const direct = b.direct as NonNullable<typeof b.direct>
      const start = performance.now()
      const done = await Promise.all([...Array(CLIENTS).keys()].map(async i => await direct.fetch([{ url: gwGet(gw, i % big.times.length) }], budget, gw.creds)))
      const seconds = (performance.now() - start) / 1000
      expectCount('bytes through the gateway', done.reduce((s, r) => s + r.bytes, 0), CLIENTS * size)
      return { 'gw-get8': mibPerSecond(CLIENTS * size, seconds) }
    }))
    await b.rec.attempt('gw-get8', ['gw-get8'], 'direct', rep, async () => {
      const direct = b.direct as NonNullable<typeof b.direct>
      const start = performance.now()
      const done = await Promise.all([...Array(CLIENTS).keys()].map(async i =>
        await direct.fetch([{ url: direct.url(big.bucket, big.key, big.events[i % big.events.length].versionId) }], budget)))
      const seconds = (performance.now() - start) / 1000
      expectCount('bytes from moto', done.reduce((s, r) => s + r.bytes, 0), CLIENTS * size)
      return { 'gw-get8': mibPerSecond(CLIENTS * size, seconds) }
    })

    await b.rec.attempt('gw-list', ['gw-list-first', 'gw-list'], 'infinstor', rep, async () => await withGateway(b, async gw => {
      const steps = [pastSteps[0], ...pastSteps]
      const r = await probe<{ seconds: number[], keys: number[] }>({
        op: 'list', endpoint: gw.url, key: gw.creds.accessKeyId, secret: gw.creds.secretAccessKey, bucket: folder.bucket,
        prefixes: steps.map(s => `@${formatInstant(folder.times[s])}/${folder.prefix}`)
      }, budget)
      steps.forEach((s, i) => expectCount(`keys at step ${s}`, r.keys[i], snapshot(folder, s).size))
      const later = r.seconds.slice(1).sort((x, y) => x - y)
      return { 'gw-list-first': r.seconds[0], 'gw-list': later[later.length >> 1] }
    }))
    await b.rec.attempt('gw-list', ['gw-list-first', 'gw-list'], 'direct', rep, async () => {
      const r = await probe<{ seconds: number[], keys: number[] }>({
        op: 'list', endpoint: b.ctx.endpoint, key: MOTO.accessKeyId, secret: MOTO.secretAccessKey, bucket: folder.bucket,
        prefixes: [folder.prefix, ...pastSteps.map(() => folder.prefix)]
      }, budget)
      for (const n of r.keys) expectCount('keys at latest', n, snapshot(folder, lastStep).size)
      const later = r.seconds.slice(1).sort((x, y) => x - y)
      return { 'gw-list-first': r.seconds[0], 'gw-list': later[later.length >> 1] }
    })

    const want = createHash('sha256').update(big.contents[0]).digest('hex')
    await b.rec.attempt('gw-dl', ['gw-dl', 'gw-dl-process'], 'infinstor', rep, async () => await withGateway(b, async gw => {
      const path = join(dlDir, 'gateway.bin')
      const r = await probe<{ bytes: number, seconds: number }>({
        op: 'download', endpoint: `${gw.url}/@${tm(big.times[0])}`, key: gw.creds.accessKeyId, secret: gw.creds.secretAccessKey,
        bucket: big.bucket, object: big.key, path
      }, budget)
      expectCount('bytes downloaded', r.bytes, size)
      if (sha256File(path) !== want) throw new Error('wrong bytes downloaded through the gateway')
      rmSync(path)
      return { 'gw-dl': r.seconds, 'gw-dl-process': r.wall }
    }))
    // boto3's own ceiling: the same download_file straight from moto, no gateway in between.
    await b.rec.attempt('gw-dl', ['gw-dl', 'gw-dl-process'], 'direct', rep, async () => {
      const path = join(dlDir, 'direct.bin')
      const r = await probe<{ bytes: number, seconds: number }>({
        op: 'download', endpoint: b.ctx.endpoint, key: MOTO.accessKeyId, secret: MOTO.secretAccessKey,
        bucket: big.bucket, object: big.key, path, extra: { VersionId: big.events[0].versionId }
      }, budget)
      expectCount('bytes downloaded', r.bytes, size)
      if (sha256File(path) !== want) throw new Error('wrong bytes downloaded from moto')
      rmSync(path)
      return { 'gw-dl': r.seconds, 'gw-dl-process': r.wall }
    })
    if (rclone?.info.skipped === undefined && rclone !== undefined) {
      await b.rec.attempt('gw-dl', ['gw-dl', 'gw-dl-process'], 'rclone', rep, async () => {
        const into = mkdtempSync(join(dlDir, 'rclone-'))
        try {
          // The key's folder, not the file: rclone's single-file path with --s3-version-at has read wrong bytes here before.
          const dir = big.key.slice(0, big.key.lastIndexOf('/'))
          const r = await check('rclone', ['--config', '/dev/null', 'copy', `bench:${big.bucket}/${dir}`, into, '--s3-version-at', formatInstant(big.times[0])],
            { env: rcloneEnv(b.ctx), timeoutMs: budget })
          const path = join(into, big.key.slice(dir.length + 1))
          if (sha256File(path) !== want) throw new Error('rclone copied wrong bytes')
          // One Go binary: its start-up is part of the command and cannot be told apart.
          return { 'gw-dl': r.seconds, 'gw-dl-process': r.seconds }
        } finally {
          rmSync(into, { recursive: true, force: true })
        }
      })
    }
  }
  rmSync(dlDir, { recursive: true, force: true })
  for (const id of ['gw-get', 'gw-get8', 'gw-list-first', 'gw-list', 'gw-dl', 'gw-dl-process']) b.rec.note(id, 'infinstor', VIA_GATEWAY)
  b.rec.note('gw-get', 'direct', 'curl GET of the version by VersionId from moto')
  b.rec.note('gw-get8', 'direct', 'the same, 8 curl processes at once')
  b.rec.note('gw-list-first', 'infinstor', `${VIA_GATEWAY}; at a past time: the daemon lists the folder's versions first`)
  b.rec.note('gw-list-first', 'direct', 'boto3 ListObjectsV2 at latest from moto, the first call of a fresh client')
  b.rec.note('gw-list', 'direct', 'boto3 ListObjectsV2 at latest from moto, repeated')
  b.rec.note('gw-dl', 'infinstor', 'boto3 download_file (its default parallel ranged GETs) through the gateway, view in the endpoint; the call, timed inside python3')
  b.rec.note('gw-dl-process', 'infinstor', 'the python3 process: start-up, boto3\'s import, download_file')
  b.rec.note('gw-dl', 'direct', 'the same boto3 download_file of the version by VersionId straight from moto: what boto3 itself reaches')
  b.rec.note('gw-dl-process', 'direct', 'the python3 process of that direct download')
  for (const id of ['gw-dl', 'gw-dl-process']) {
    if (rclone !== undefined) b.rec.note(id, 'rclone', 'rclone copy --s3-version-at of the file\'s folder (the file alone), the whole command')
    if (rclone?.info.skipped !== undefined) b.rec.skip(id, 'rclone', rclone.info.skipped)
  }
}
