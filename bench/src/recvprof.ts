// Whether a second thread would speed up a whole-file fetch, the receive that
// bounds 1,000 random reads: `node bench/.work/dist/bench/src/recvprof.js
// [--reps 5] [--size 256] [--lanes 14] [--block-kib 256] [--modes main,reused,worker,split,shared,prefault]`.
// Writes one object to a fresh moto (with the bench's patch), then, repetition
// by repetition and mode by mode (interleaved, so a busy phase of a shared
// machine hits all alike), fetches it in a fresh Node process as the daemon
// fetches a file read at random: --lanes GETs of 8 MiB parts in flight,
// through InfinStor's own raw GET handler (src/s3/raw-get.ts), each body read
// by `onread` straight into blocks (--block-kib, the daemon's 256 KiB), all
// kept until the end, as the block cache keeps them. Modes:
//   main      on the main thread, into fresh blocks (what the daemon does)
//   reused    the same into blocks allocated and written before the clock starts (a warm pool: no first touch)
//   worker    on a worker thread, each filled block handed to the main thread (an ArrayBuffer transfer)
//   split     half the lanes on the main thread, half on a worker, as above
//   shared    the main thread into SharedArrayBuffer blocks, which a worker could fill in place
//   prefault  the main thread into blocks a worker allocates and writes ahead, handed over (fresh ones when none is ready)
// Prints each run's time, the process's CPU and its minor page faults, then
// the medians, and each mode's time against `main` in the same repetition.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { randomFillSync } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { CreateBucketCommand, GetObjectCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { SignatureV4 } from '@smithy/signature-v4'
import { startMoto } from '../../src/demo/moto.js'
import type { ByteSink } from '../../src/s3/http1.js'
import { RawBody, RawGetHandler } from '../../src/s3/raw-get.js'
import { s3Client } from './datasets.js'
import { MOTO_PATCH } from './paths.js'
import { median } from './stats.js'
import { minorFaults } from './threads.js'

const KiB = 1024
const MiB = 1024 * KiB
/** The daemon's part size; its block size is --block-kib's default. */
const PART = 8 * MiB
const MODES = ['main', 'reused', 'worker', 'split', 'shared', 'prefault'] as const
type Mode = typeof MODES[number]
const SELF = fileURLToPath(import.meta.url)
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

interface Job { url: string, size: number, lanes: number, block: number }
interface Result { ms: number, cpu: number, faults: number, fresh?: number }

/** Fetches parts of the object on this thread: each lane takes the next part until none is left. */
async function fetchParts ({ url, size }: Job, parts: number[], lanes: number, take: () => Buffer, deliver: (b: Buffer) => void): Promise<void> {
  const u = new URL(url)
  const handler = new RawGetHandler({ timeoutMs: 30_000, fallback: { handle: async () => { throw new Error('only GETs here') } } })
  const query = Object.fromEntries(u.searchParams)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < parts.length) {
      const start = parts[next++]
      const end = Math.min(start + PART, size)
      const { response } = await handler.handle({
        method: 'GET', protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: u.pathname, query, headers: { host: u.host, range: `bytes=${start}-${end - 1}` }
      })
      if (response.statusCode !== 206 || !(response.body instanceof RawBody)) throw new Error(`GET of ${start}-${end - 1}: ${String(response.statusCode)}`)
      let left = end - start
      let block = take()
      let used = 0
      const sink: ByteSink = {
        space: () => block.subarray(used, Math.min(block.length, used + left)),
        filled: n => {
          used += n
          left -= n
          if (used < block.length && left > 0) return
          deliver(block)
          if (left > 0) { block = take(); used = 0 }
        }
      }
      await response.body.into(sink)
    }
  }
  await Promise.all(Array.from({ length: lanes }, lane))
  handler.destroy()
}

/** Part offsets, every other one from `first` when split between two threads. */
function partsOf (size: number, every = 1, first = 0): number[] {
  const out: number[] = []
  for (let at = first * PART; at < size; at += every * PART) out.push(at)
  return out
}

/** A worker: fetches its parts and hands each block over, or (prefault) writes blocks ahead and hands them over. */
async function workerMain (): Promise<void> {
  const port = parentPort as NonNullable<typeof parentPort>
  const { job, mode, parts, lanes } = workerData as { job: Job, mode: Mode, parts: number[], lanes: number }
  const blockSize = job.block
  if (mode === 'prefault') {
    let made = 0
    const more = (n: number): void => {
      for (let k = 0; k < n && made < job.size / blockSize; k++, made++) {
        const b = Buffer.allocUnsafeSlow(blockSize).fill(0).buffer as ArrayBuffer
        port.postMessage(b, [b])
      }
    }
    port.on('message', (n: number) => { more(n) })
    more(4 * PART / blockSize)
    return
  }
  await fetchParts(job, parts, lanes, () => Buffer.allocUnsafeSlow(blockSize), b => {
    const memory = b.buffer as ArrayBuffer
    port.postMessage(memory, [memory])
  })
  port.postMessage('done')
}

/** One run of a mode, in this (fresh) process. */
async function child (mode: Mode, job: Job): Promise<Result> {
  const blockSize = job.block
  const kept: Buffer[] = []
  const keep = (b: Buffer): void => { kept.push(b) }
  const fresh = (): Buffer => Buffer.allocUnsafeSlow(blockSize)
  const warm = mode === 'reused' ? Array.from({ length: Math.ceil(job.size / blockSize) }, () => Buffer.allocUnsafeSlow(blockSize).fill(1)) : []
  const start = (workerParts: number[], workerLanes: number): Worker =>
    new Worker(SELF, { workerData: { job, mode, parts: workerParts, lanes: workerLanes } })
  /** Resolves once the worker said it is done; its blocks are kept as they come. */
  const handedOver = async (w: Worker): Promise<void> => await new Promise((resolve, reject) => {
    w.on('message', (m: ArrayBuffer | 'done') => { m === 'done' ? resolve() : keep(Buffer.from(m)) })
    w.on('error', reject)
  })
  const faults0 = minorFaults(process.pid)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  let freshBlocks = 0
  if (mode === 'main' || mode === 'reused' || mode === 'shared') {
    const take = mode === 'main' ? fresh : mode === 'reused' ? () => warm.pop() as Buffer : () => Buffer.from(new SharedArrayBuffer(blockSize))
    await fetchParts(job, partsOf(job.size), job.lanes, take, keep)
  } else if (mode === 'worker') {
    const w = start(partsOf(job.size), job.lanes)
    await handedOver(w)
    await w.terminate()
  } else if (mode === 'split') {
    const w = start(partsOf(job.size, 2, 1), job.lanes / 2)
    await Promise.all([fetchParts(job, partsOf(job.size, 2, 0), job.lanes / 2, fresh, keep), handedOver(w)])
    await w.terminate()
  } else {
    const ready: Buffer[] = []
    const w = start([], 0)
    w.on('message', (ab: ArrayBuffer) => { ready.push(Buffer.from(ab)) })
    await fetchParts(job, partsOf(job.size), job.lanes, () => {
      w.postMessage(1)
      const b = ready.shift()
      if (b !== undefined) return b
      freshBlocks++
      return fresh()
    }, keep)
    await w.terminate()
  }
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const got = kept.reduce((n, b) => n + b.length, 0)
  if (got !== job.size) throw new Error(`${mode}: ${got} bytes kept of ${job.size}`)
  return { ms, cpu: (cpu.user + cpu.system) / 1e6, faults: minorFaults(process.pid) - faults0, ...(mode === 'prefault' ? { fresh: freshBlocks } : {}) }
}

async function runChild (mode: Mode, job: Job): Promise<Result> {
  const p = spawn(process.execPath, [SELF, '--child', mode, '--url', job.url, '--size', String(job.size / MiB), '--lanes', String(job.lanes), '--block-kib', String(job.block / KiB)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  p.stdout.on('data', (c: Buffer) => { out += c.toString() })
  const [status] = await once(p, 'exit') as [number | null]
  if (status !== 0) throw new Error(`recvprof ${mode} exited with ${String(status)}`)
  return JSON.parse(out) as Result
}

async function main (): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      reps: { type: 'string', default: '5' },
      size: { type: 'string', default: '256' },
      lanes: { type: 'string', default: '14' },
      'block-kib': { type: 'string', default: '256' },
      modes: { type: 'string', default: MODES.join(',') },
      child: { type: 'string' },
      url: { type: 'string' }
    }
  })
  const size = Number(flags.size) * MiB
  const lanes = Number(flags.lanes)
  const block = Number(flags['block-kib']) * KiB
  if (flags.child !== undefined) {
    process.stdout.write(JSON.stringify(await child(flags.child as Mode, { url: flags.url as string, size, lanes, block })))
    return
  }
  const modes = flags.modes.split(',') as Mode[]
  for (const m of modes) if (!MODES.includes(m)) throw new Error(`unknown mode ${m}: one of ${MODES.join(', ')}`)
  const moto = await startMoto({ env: { PYTHONPATH: MOTO_PATCH } })
  try {
    const s3 = s3Client(moto.endpoint)
    await s3.send(new CreateBucketCommand({ Bucket: 'recv' }))
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'recv', VersioningConfiguration: { Status: 'Enabled' } }))
    const put = await s3.send(new PutObjectCommand({ Bucket: 'recv', Key: 'big.bin', Body: randomFillSync(Buffer.allocUnsafe(size)) }))
    const versionId = put.VersionId as string
    // moto reads an object out of its store on the first GET: not something to time.
    for await (const c of (await s3.send(new GetObjectCommand({ Bucket: 'recv', Key: 'big.bin', VersionId: versionId }))).Body as AsyncIterable<Uint8Array>) void c
    const u = new URL(moto.endpoint)
    const signer = new SignatureV4({ credentials: s3.config.credentials, region: await s3.config.region(), service: 's3', sha256: s3.config.sha256 })
    const signed = await signer.presign({ method: 'GET', protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: '/recv/big.bin', query: { versionId }, headers: { host: u.host } }, { expiresIn: 3600 })
    const url = `${moto.endpoint}/recv/big.bin?${new URLSearchParams(signed.query as Record<string, string>).toString()}`
    s3.destroy()
    const job = { url, size, lanes, block }
    const runs = new Map<Mode, Result[]>(modes.map(m => [m, []]))
    console.log(`# recvprof --reps ${flags.reps} --size ${flags.size} --lanes ${lanes} --block-kib ${block / KiB} --modes ${modes.join(',')}`)
    for (let rep = 1; rep <= Number(flags.reps); rep++) {
      for (const m of modes) {
        const r = await runChild(m, job)
        runs.get(m)?.push(r)
        const fresh = r.fresh !== undefined ? `  (${r.fresh} blocks not ready, taken fresh)` : ''
        console.log(`rep ${rep} ${m.padEnd(9)} ${r.ms.toFixed(0).padStart(5)} ms  CPU ${r.cpu.toFixed(3)} s  faults ${r.faults}${fresh}`)
      }
    }
    const base = runs.get('main')
    for (const [m, rs] of runs) {
      const ratios = base !== undefined && m !== 'main' ? rs.map((r, i) => r.ms / base[i].ms) : []
      const paired = ratios.length > 0 ? `  time against main: ${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)}` : ''
      console.log(`median ${m.padEnd(9)} ${median(rs.map(r => r.ms)).toFixed(0).padStart(5)} ms  CPU ${median(rs.map(r => r.cpu)).toFixed(3)} s  faults ${median(rs.map(r => r.faults))}${paired}`)
    }
  } finally {
    await moto.stop()
  }
}

if (isMainThread) {
  main().catch(e => { console.error(`recvprof: ${(e as Error).message}`); process.exit(1) })
} else {
  workerMain().catch(e => { console.error(`recvprof worker: ${(e as Error).message}`); process.exit(1) })
}
