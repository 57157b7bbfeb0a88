// Full sweep rate against moto, next to the rate at which the same moto
// pages ListObjectVersions with nothing done with the pages (the ceiling).
// node bench/.work/dist/bench/src/index/sweep.js [--versions 20000] [--runs 3] [--stock-moto] [--out FILE.json]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { CreateBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import pLimit from 'p-limit'
import { startMoto } from '../../../src/demo/moto.js'
import { openIndex, type IndexStore } from '../../../src/index/open.js'
import { sweep } from '../../../src/index/sweep.js'
import { S3Access } from '../../../src/s3/access.js'
import { startPostgres } from '../../../test/helpers/postgres.js'
import { MOTO_PATCH, WORK } from '../paths.js'
import { median } from '../stats.js'

const { values: flags } = parseArgs({
  options: {
    versions: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '3' },
    'stock-moto': { type: 'boolean', default: false },
    out: { type: 'string' }
  }
})
const VERSIONS = Number(flags.versions)
const RUNS = Number(flags.runs)
const BUCKET = 'sweep-bench'
const log = (line: string): void => { process.stderr.write(`sweep-bench: ${line}\n`) }
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1' })

const teardowns: Array<() => unknown> = []
const moto = await startMoto({ env: flags['stock-moto'] === true ? {} : { PYTHONPATH: [MOTO_PATCH, process.env.PYTHONPATH].filter(Boolean).join(':') } })
teardowns.push(async () => await moto.stop())
try {
  const raw = new S3Client({ endpoint: moto.endpoint, forcePathStyle: true, region: 'us-east-1' })
  await raw.send(new CreateBucketCommand({ Bucket: BUCKET }))
  await raw.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }))
  // Half as many keys as versions: each key written twice, every tenth deleted once.
  const limit = pLimit(16)
  const t0 = performance.now()
  const keys = Math.ceil(VERSIONS / 2)
  await Promise.all(Array.from({ length: VERSIONS }, async (_, i) => await limit(async () => {
    const key = `data/part-${String(Math.floor((i % keys) / 100)).padStart(4, '0')}/file-${String(i % keys).padStart(6, '0')}.json`
    if (i >= keys && i % 10 === 0) await raw.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }))
    else await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `v${i}` }))
  })))
  log(`wrote ${VERSIONS} versions in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  raw.destroy()

  const s3 = new S3Access({ endpoint: moto.endpoint, attempts: 3, timeoutMs: 120_000, concurrency: 4 })
  const pg = await startPostgres({ teardown: fn => { teardowns.push(fn) } }, { durable: true })
  const dir = join(WORK, 'index-sweep')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })

  const listRates: number[] = []
  const sweepRates: Record<string, number[]> = { sqlite: [], postgres: [] }
  const ratios: Record<string, number[]> = { sqlite: [], postgres: [] }
  let entries = 0
  for (let run = 0; run < RUNS; run++) {
    // The ceiling: page through every version, doing nothing with the pages.
    let t = performance.now()
    entries = 0
    let pages = 0
    for await (const page of s3.listVersions(BUCKET, '', undefined, { maxKeys: 1000 })) { entries += page.entries.length; pages++ }
    const listRate = entries / ((performance.now() - t) / 1000)
    listRates.push(listRate)
    log(`run ${run}: listing ${entries} entries in ${pages} pages at ${Math.round(listRate)}/s`)
    for (const engine of ['sqlite', 'postgres'] as const) {
      const setting = engine === 'sqlite' ? join(dir, `run-${run}.sqlite`) : await pg.database(`run_${run}`)
      const store = await openIndex(setting, { create: true }) as IndexStore
      t = performance.now()
      const r = await sweep(s3, store, BUCKET, { settleMarginMs: 5000, pageSize: 1000 })
      const rate = r.entries / ((performance.now() - t) / 1000)
      sweepRates[engine].push(rate)
      ratios[engine].push(rate / listRate)
      log(`run ${run}: ${engine} sweep at ${Math.round(rate)}/s (${(100 * rate / listRate).toFixed(0)}% of the listing)`)
      await store.close()
    }
  }
  s3.destroy()
  const results = {
    moto: flags['stock-moto'] === true ? 'stock' : 'bench patch (listings without deep copies of bytes)',
    versions: entries,
    runs: RUNS,
    listingPerSecond: Math.round(median(listRates)),
    sqlite: { sweepPerSecond: Math.round(median(sweepRates.sqlite)), ofListing: median(ratios.sqlite) },
    postgres: { sweepPerSecond: Math.round(median(sweepRates.postgres)), ofListing: median(ratios.postgres) },
    goal: 'sweep >= 80% of the listing rate',
    loadavg: loadavg()
  }
  const text = JSON.stringify(results, null, 2)
  if (flags.out !== undefined) writeFileSync(flags.out, text + '\n')
  process.stdout.write(text + '\n')
  rmSync(dir, { recursive: true, force: true })
} finally {
  for (const fn of teardowns.reverse()) await fn()
}
