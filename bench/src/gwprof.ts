// Where a GET through the S3 gateway spends its time: `node
// bench/.work/dist/bench/src/gwprof.js [--reps 3] [--size 256] [--clients 1]
// [--boto3] [--cpu-prof DIR] [--bin PATH/bin/infinstor]...`. Writes one object
// (two versions) to a fresh patched moto, then per repetition starts a fresh
// `infinstor serve` (cold cache), GETs the older version through its gateway
// with curl (--clients at once), and GETs it from moto directly; prints the
// rates and the gateway daemon's CPU-seconds over the GET. --boto3 adds
// boto3's download_file through the gateway and from moto. --cpu-prof writes
// the daemons' V8 CPU profiles there; --log FILE keeps the daemons' log.
// --relay adds curl through bench/src/relay.ts (a bare Node relay to moto:
// the ceiling of any two-hop byte path here) and that relay's CPU-seconds.
// Several --bin builds are measured in turn within each repetition.
import { randomFillSync } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { formatInstant } from '../../src/core/timespec.js'
import { freePort, startMoto } from '../../src/demo/moto.js'
import { KeyStore } from '../../src/gateway/keys.js'
import { Cleanup } from './cleanup.js'
import { s3Client } from './datasets.js'
import { BIN, GATEWAY_PROBE, MOTO_PATCH, WORK } from './paths.js'
import { check, Daemon, lastLine } from './proc.js'
import { Direct } from './systems/direct.js'
import { CREDENTIALS } from './systems/types.js'
import { processCpu } from './threads.js'

const { values: flags } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    size: { type: 'string', default: '256' },
    clients: { type: 'string', default: '1' },
    boto3: { type: 'boolean', default: false },
    relay: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    /** Builds of InfinStor to compare, taken in turn in each repetition (default: this one). */
    bin: { type: 'string', multiple: true, default: [BIN] },
    /** Keeps the daemons' log there. */
    log: { type: 'string' }
  }
})

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
const MiB = 1 << 20
const size = Number(flags.size) * MiB
const clients = Number(flags.clients)
mkdirSync(WORK, { recursive: true })
const workDir = mkdtempSync(join(WORK, 'gwprof-'))
const cleanup = new Cleanup(join(workDir, 'live.json'))
const BUCKET = 'gwprof'
const KEY = 'data/big.bin'

const cpuOf = (pid: number): { user: number, system: number } => processCpu(pid) ?? { user: NaN, system: NaN }
const spent = (a: { user: number, system: number }, b: { user: number, system: number }): string =>
  `${(b.user + b.system - a.user - a.system).toFixed(2)} s (user ${(b.user - a.user).toFixed(2)}, system ${(b.system - a.system).toFixed(2)})`

async function startGateway (bin: string, endpoint: string, n: number): Promise<{ url: string, creds: { accessKeyId: string, secretAccessKey: string }, pid: number, stop: () => Promise<void> }> {
  const home = mkdtempSync(join(workDir, 'home-'))
  const key = await new KeyStore(join(home, 'infinstor', 's3-keys.json')).create('prof')
  const port = await freePort()
  const prof = flags['cpu-prof'] !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${flags['cpu-prof']}`, `--cpu-prof-name=gw-${n}.cpuprofile`] : []
  const daemon = new Daemon(cleanup, process.execPath, [...prof, bin, 'serve', '--endpoint', endpoint, '--port', '0', '--s3-port', String(port), '--cache-size', '512'],
    { ...process.env, ...CREDENTIALS, XDG_CONFIG_HOME: home }, join(workDir, 'gateway.log'), `--s3-port ${port}`)
  for (const deadline = Date.now() + 30_000; !daemon.log().includes(`S3 gateway on http://127.0.0.1:${port}`); await sleep(50)) {
    if (daemon.exited || Date.now() > deadline) throw new Error(`the gateway did not start: ${lastLine(daemon.log())}`)
  }
  return { url: `http://127.0.0.1:${port}`, creds: key, pid: daemon.pid, stop: async () => { await daemon.stop() } }
}

async function startRelay (endpoint: string): Promise<{ url: string, pid: number, stop: () => Promise<void> }> {
  const port = await freePort()
  const daemon = new Daemon(cleanup, process.execPath, [join(import.meta.dirname, 'relay.js'), '--to', endpoint, '--port', String(port)],
    process.env, join(workDir, 'relay.log'), `--port ${port}`)
  for (const deadline = Date.now() + 30_000; !daemon.log().includes(`relay on ${port}`); await sleep(50)) {
    if (daemon.exited || Date.now() > deadline) throw new Error(`the relay did not start: ${lastLine(daemon.log())}`)
  }
  return { url: `http://127.0.0.1:${port}`, pid: daemon.pid, stop: async () => { await daemon.stop() } }
}

async function main (): Promise<void> {
  moto = await startMoto({ env: { PYTHONPATH: [MOTO_PATCH, process.env.PYTHONPATH].filter(Boolean).join(':') } })
  const s3 = s3Client(moto.endpoint)
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }))
  await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }))
  const body = Buffer.allocUnsafe(size)
  randomFillSync(body)
  const first = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: body }))
  const at = Date.now() + 1000
  await sleep(2100)
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: body.subarray(0, 1024) }))
  const direct = new Direct({ endpoint: moto.endpoint, cleanup, workDir, cacheBytes: 512 * MiB })
  const directUrl = direct.url(BUCKET, KEY, first.VersionId as string)
  await direct.fetch([{ url: directUrl }], 120_000)
  const view = `@${formatInstant(at)}`
  const rows: string[] = []
  /** --clients curl GETs of `url` at once, through a middle process: their rate, its CPU and theirs. */
  const curlThrough = async (url: string, middle: string, pid: number, creds?: { accessKeyId: string, secretAccessKey: string }): Promise<string> => {
    const cpu0 = cpuOf(pid)
    const t0 = performance.now()
    const done = await Promise.all([...Array(clients).keys()].map(async () => await direct.fetch([{ url }], 300_000, creds)))
    const s = (performance.now() - t0) / 1000
    const cpu = spent(cpu0, cpuOf(pid))
    if (done.some(r => r.bytes !== size)) throw new Error(`short body through the ${middle}`)
    return `curl x${clients}: ${(clients * size / MiB / s).toFixed(0)} MiB/s (${s.toFixed(2)} s), ${middle} CPU ${cpu}, curl CPU ${done.map(r => r.cpu.toFixed(2)).join('+')}`
  }
  for (let rep = 0; rep < Number(flags.reps); rep++) {
    for (const [b, bin] of flags.bin.entries()) {
    const tag = flags.bin.length > 1 ? ` [${b}]` : ''
    const gw = await startGateway(bin, moto.endpoint, rep * 10 + b)
    try {
      rows.push(`rep ${rep}${tag} gateway ${await curlThrough(`${gw.url}/${view}/${BUCKET}/${KEY}`, 'daemon', gw.pid, gw.creds)}`)
      if (flags.boto3) {
        const gw2 = await startGateway(bin, moto.endpoint, 100 + rep * 10 + b)
        try {
          const path = join(workDir, 'dl.bin')
          const c0 = cpuOf(gw2.pid)
          const r = await check('python3', [GATEWAY_PROBE], { input: JSON.stringify({ op: 'download', endpoint: `${gw2.url}/${view}`, key: gw2.creds.accessKeyId, secret: gw2.creds.secretAccessKey, bucket: BUCKET, object: KEY, path }), timeoutMs: 300_000 })
          const out = JSON.parse(r.stdout) as { seconds: number }
          rows.push(`rep ${rep}${tag} gateway boto3 download_file: ${out.seconds.toFixed(2)} s, daemon CPU ${spent(c0, cpuOf(gw2.pid))}`)
          rmSync(path, { force: true })
        } finally {
          await gw2.stop()
        }
      }
    } finally {
      await gw.stop()
    }
    }
    if (flags.relay) {
      const relay = await startRelay(moto.endpoint)
      try {
        rows.push(`rep ${rep} bare relay ${await curlThrough(directUrl.replace(moto.endpoint, relay.url), 'relay', relay.pid)}`)
      } finally {
        await relay.stop()
      }
    }
    const t1 = performance.now()
    const d = await Promise.all([...Array(clients).keys()].map(async () => await direct.fetch([{ url: directUrl }], 300_000)))
    const ds = (performance.now() - t1) / 1000
    rows.push(`rep ${rep} direct curl x${clients}: ${(clients * size / MiB / ds).toFixed(0)} MiB/s (${ds.toFixed(2)} s), curl CPU ${d.map(r => r.cpu.toFixed(2)).join('+')}`)
    if (flags.boto3) {
      const path = join(workDir, 'dl.bin')
      const r = await check('python3', [GATEWAY_PROBE], { input: JSON.stringify({ op: 'download', endpoint: moto.endpoint, key: 'bench', secret: 'bench', bucket: BUCKET, object: KEY, path, extra: { VersionId: first.VersionId } }), timeoutMs: 300_000 })
      rows.push(`rep ${rep} direct boto3 download_file: ${(JSON.parse(r.stdout) as { seconds: number }).seconds.toFixed(2)} s`)
      rmSync(path, { force: true })
    }
    console.log(rows.splice(0).join('\n'))
  }
}

let moto: Awaited<ReturnType<typeof startMoto>> | undefined
try {
  await main()
} finally {
  cleanup.releaseAll()
  await moto?.stop()
  if (flags.log !== undefined) copyFileSync(join(workDir, 'gateway.log'), flags.log)
  rmSync(workDir, { recursive: true, force: true })
}
