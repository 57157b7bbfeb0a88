// What the backend alone allows, with no filesystem in between: `node
// bench/.work/dist/bench/src/backend-probe.js [--reps 3] [--in-flight 1,8,16]`.
// On a fresh patched moto it measures
// - ranged GETs of a 256 MiB object in 8 MiB parts, N in flight (the SDK,
//   bytes discarded), under both network profiles: the most any client
//   that keeps N parts in flight could read at once;
// - moto's CPU per request, by the kind of request a read of 2,000 small
//   files makes (a folder's ListObjectVersions; a ranged GET by version id,
//   one at a time and 8 at a time). moto serves in one Python process, so
//   its CPU-seconds are a floor under the wall time of those requests.
import { randomFillSync } from 'node:crypto'
import { parseArgs } from 'node:util'
import { CreateBucketCommand, GetObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import pLimit from 'p-limit'
import { startMoto } from '../../src/demo/moto.js'
import { s3Client } from './datasets.js'
import { NETWORKS, setNetwork } from './network.js'
import { MOTO_PATCH } from './paths.js'
import { median } from './stats.js'
import { machineCpu, processCpu } from './threads.js'

const { values: flags } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    'in-flight': { type: 'string', default: '1,8,16' }
  }
})
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
const MiB = 1 << 20
const BIG = 256 * MiB
const PART = 8 * MiB
const BUCKET = 'probe'
const SMALL = Array.from({ length: 2000 }, (_, n) => `small/g${String(Math.floor(n / 100)).padStart(2, '0')}/f${String(n % 100).padStart(3, '0')}.bin`)
const reps = Number(flags.reps)

async function drain (s3: S3Client, key: string, range?: string, versionId?: string): Promise<void> {
  const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: range, VersionId: versionId }))
  for await (const chunk of out.Body as AsyncIterable<Uint8Array>) void chunk
}

async function main (): Promise<void> {
  const moto = await startMoto({ env: { PYTHONPATH: MOTO_PATCH } })
  const motoCpu = (): number => { const c = processCpu(moto.process.pid as number); return c === undefined ? NaN : c.user + c.system }
  try {
    const s3 = s3Client(moto.endpoint)
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }))
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }))
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big.bin', Body: randomFillSync(Buffer.allocUnsafe(BIG)) }))
    const put = pLimit(16)
    const versions = new Map<string, string>()
    await Promise.all(SMALL.map(async key => await put(async () => {
      const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: randomFillSync(Buffer.allocUnsafe(16384)) }))
      versions.set(key, out.VersionId as string)
    })))
    // moto reads an object out of its store on the first GET: not something to time.
    await drain(s3, 'big.bin')
    const warm = pLimit(8)
    await Promise.all(SMALL.map(async key => await warm(async () => { await drain(s3, key) })))

    for (const net of [NETWORKS.loopback, NETWORKS.s3]) {
      await setNetwork(moto.endpoint, net)
      for (const inFlight of flags['in-flight'].split(',').map(Number)) {
        const rates: number[] = []
        const cells: string[] = []
        for (let rep = 0; rep < reps; rep++) {
          const limit = pLimit(inFlight)
          const m0 = machineCpu()
          const t0 = performance.now()
          const starts = Array.from({ length: BIG / PART }, (_, n) => n * PART)
          await Promise.all(starts.map(async at => await limit(async () => { await drain(s3, 'big.bin', `bytes=${at}-${at + PART - 1}`) })))
          const seconds = (performance.now() - t0) / 1000
          const m1 = machineCpu()
          rates.push(BIG / MiB / seconds)
          cells.push(`${(BIG / MiB / seconds).toFixed(0)} (machine ${(m1.busy - m0.busy).toFixed(2)} of ${(m1.total - m0.total).toFixed(2)} CPU-s busy)`)
        }
        console.log(`${net.id.padEnd(8)} ${String(inFlight).padStart(2)} GETs of 8 MiB in flight: median ${median(rates).toFixed(0)} MiB/s; runs ${cells.join(', ')}`)
      }
    }

    await setNetwork(moto.endpoint, NETWORKS.loopback)
    const kinds: Array<{ name: string, count: number, run: (rep: number) => Promise<void> }> = [
      {
        name: "a folder's ListObjectVersions (100 keys in a bucket of 2,001)",
        count: 20,
        run: async () => {
          for (let g = 0; g < 20; g++) await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: `small/g${String(g).padStart(2, '0')}/`, Delimiter: '/' }))
        }
      },
      {
        name: 'GET of 16 KiB by version id, bytes=0-1048575, one at a time',
        count: 500,
        run: async rep => { for (const key of SMALL.slice(rep * 500 % 2000, rep * 500 % 2000 + 500)) await drain(s3, key, 'bytes=0-1048575', versions.get(key)) }
      },
      {
        name: 'the same, 8 at a time',
        count: 500,
        run: async rep => {
          const limit = pLimit(8)
          await Promise.all(SMALL.slice(rep * 500 % 2000, rep * 500 % 2000 + 500).map(async key => await limit(async () => { await drain(s3, key, 'bytes=0-1048575', versions.get(key)) })))
        }
      }
    ]
    for (const kind of kinds) {
      const each: number[] = []
      const walls: number[] = []
      for (let rep = 0; rep < reps; rep++) {
        const c0 = motoCpu()
        const t0 = performance.now()
        await kind.run(rep)
        walls.push((performance.now() - t0) / 1000)
        each.push((motoCpu() - c0) / kind.count * 1000)
      }
      console.log(`moto CPU per request, ${kind.name}: median ${median(each).toFixed(2)} ms [${Math.min(...each).toFixed(2)}–${Math.max(...each).toFixed(2)}]; ` +
        `${kind.count} requests took ${median(walls).toFixed(2)} s of wall time`)
    }
    s3.destroy()
  } finally {
    await moto.stop()
  }
}

main().then(() => process.exit(0), (e: Error) => {
  console.error(e.stack ?? e.message)
  process.exit(1)
})
