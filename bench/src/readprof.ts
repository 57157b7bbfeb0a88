// Where a cold read's CPU goes: `node bench/.work/dist/bench/src/readprof.js
// [--mode seq|rand|small] [--reps 3] [--size 256] [--network s3]
// [--systems infinstor,rclone,s3fs,memfs,memfs+get,memfs+curl,streamfs] [--variant 'NAME=PATH/bin/infinstor [VAR=VALUE...]']...
// [--readers 1] [--versions 1] [--cpu-prof DIR] [--perf DIR] [--lanes 8] [--whole] [--warm] [--node-args=--trace-gc]`.
// Writes one object (two versions) and 2,000 small files to a fresh moto,
// then, repetition by repetition and system by system (interleaved, so a
// busy phase of a shared machine hits all alike), mounts, drops the page
// cache, reads (seq: the older version with dd, by --readers at once, or
// reader i the (i mod --versions)th of that many older versions, as the bench's
// parallel readers do, in InfinStor only: rclone reads the oldest, s3fs the latest
// version and the ceilings below the newest past one, all of one size; rand:
// 1,000 random 64 KiB reads of it; small: every small file in turn, in name order) and
// prints the daemon's CPU per thread over the reads, its peak RSS, the bytes moto sent,
// and how long tasks waited for a CPU (any task: PSI; the daemon's threads: schedstat).
// --variant compares builds of InfinStor (e.g. a copy of the baseline), or one build in another environment. --perf records
// every CPU of the machine over each read (`perf record -a -g`, kernel and all processes:
// where a read's CPU goes outside the daemon too) into DIR/NAME-REP.data, for `perf report -i`.
// Bounds of a sequential read: memfs is the fuse-native ceiling (no work per
// read); memfs+get and memfs+curl read it while moto serves the same past version,
// as InfinStor fetches it (8 MiB parts, --lanes in flight; --whole: curl in one
// GET), to a plain Node process or to curl (a read counts as done when both are):
// what any fuse-native daemon fed by moto that way can reach here. streamfs (seq only)
// receives its own bytes, in one paced GET, and does nothing else: the
// ceiling of InfinStor's sequential read in one Node process. --warm reads the
// latest version through each InfinStor mount first (untimed): the timed read
// is then cold in the page cache and the block cache, but not in V8 or the S3 client.
import { randomFillSync } from 'node:crypto'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { CreateBucketCommand, GetObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { SignatureV4 } from '@smithy/signature-v4'
import pLimit from 'p-limit'
import { formatInstant } from '../../src/core/timespec.js'
import { daemonEnv } from '../../src/daemon/malloc.js'
import { startMoto } from '../../src/demo/moto.js'
import { Cleanup } from './cleanup.js'
import { s3Client } from './datasets.js'
import { median } from './stats.js'
import { motoRequests, motoSent, NETWORKS, setNetwork } from './network.js'
import { BIN, MOTO_PATCH, WORK } from './paths.js'
import { fileURLToPath } from 'node:url'
import { dropCaches, peakRss } from './proc.js'
import { ddRead, randomOffsets, randomReads, readFiles } from './readers.js'
import { daemonMount, type DaemonMount } from './systems/mountpoint.js'
import { CREDENTIALS, type SystemContext } from './systems/types.js'
import { cpuPressureMs, machineCpu, minorFaults, processCpu, threadCpu, threadWaitMs, type Cpu } from './threads.js'

const { values: flags } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    size: { type: 'string', default: '256' },
    network: { type: 'string', default: 'loopback' },
    systems: { type: 'string', default: 'infinstor' },
    variant: { type: 'string', multiple: true, default: [] },
    readers: { type: 'string', default: '1' },
    /** Past versions the readers spread over (InfinStor only: the peers read one). */
    versions: { type: 'string', default: '1' },
    mode: { type: 'string', default: 'seq' },
    'cache-size': { type: 'string', default: '512' },
    'cpu-prof': { type: 'string' },
    perf: { type: 'string' },
    /** GETs in flight beside memfs+get and memfs+curl's reads (InfinStor keeps 8). */
    lanes: { type: 'string', default: '8' },
    /** memfs+curl fetches the version in one GET with no Range header instead (moto sends that without copying). */
    whole: { type: 'boolean', default: false },
    /** First reads the latest version through InfinStor's mount, untimed, then drops the page cache: a cold read in a warmed-up daemon. */
    warm: { type: 'boolean', default: false },
    /** More node options for InfinStor daemons, e.g. --trace-gc (their output lands in the mount's log). */
    'node-args': { type: 'string', default: '' }
  }
})

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
const MEMFS = fileURLToPath(new URL('memfs-daemon.js', import.meta.url))
const STREAMFS = fileURLToPath(new URL('streamfs-daemon.js', import.meta.url))
const MiB = 1 << 20
const size = Number(flags.size) * MiB
const readers = Number(flags.readers)
const versions = Number(flags.versions)
const network = NETWORKS[flags.network as keyof typeof NETWORKS]
if (network === undefined) throw new Error(`unknown network ${flags.network}; known: ${Object.keys(NETWORKS).join(', ')}`)

interface Sys {
  name: string
  /** `path(key, i)` is where reader i reads; `ats` are the past versions' times, oldest first. */
  mount: (ctx: SystemContext, ats: number[]) => Promise<{ m: DaemonMount, path: (key: string, reader: number) => string, latest?: (key: string) => string }>
  /** Work that runs beside the read, which counts as done only when this is done too. */
  alongside?: () => Promise<void>
}
const SMALL = Array.from({ length: 2000 }, (_, n) => `small/g${String(Math.floor(n / 100)).padStart(2, '0')}/f${String(n % 100).padStart(3, '0')}.bin`)

function infinstorAt (name: string, bin: string, env: Record<string, string> = {}): Sys {
  return {
    name,
    mount: async (ctx, ats) => {
      const prof = [
        ...(flags['cpu-prof'] !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${join(flags['cpu-prof'], name)}`] : []),
        ...flags['node-args'].split(' ').filter(Boolean)
      ]
      const m = await daemonMount(ctx, name, dir => ({
        cmd: process.execPath,
        args: [...prof, bin, 'mount', dir, '--bucket', 'prof', '--endpoint', ctx.endpoint, '--cache-size', flags['cache-size'], '--no-serve', '--foreground'],
        // As `infinstor mount` runs its daemon: with huge pages unless a variant's environment says otherwise
        // (--variant '4k=bin/infinstor GLIBC_TUNABLES=glibc.malloc.hugetlb=0').
        env: daemonEnv({ ...process.env, ...CREDENTIALS, ...env }, true)
      }))
      return { m, path: (key, i) => `${m.dir}/prof/@${formatInstant(ats[i % ats.length])}/${key}`, latest: key => `${m.dir}/prof/@latest/${key}` }
    }
  }
}

/** A presigned URL of the past version on moto; set once it is written. */
let pastUrl = ''

/** Signs with the client's own credentials and hash, as src/s3's lean GETs do. */
async function presign (s3: S3Client, endpoint: string, key: string, versionId: string): Promise<string> {
  const u = new URL(endpoint)
  const signer = new SignatureV4({ credentials: s3.config.credentials, region: s3.config.region, service: 's3', sha256: s3.config.sha256 })
  const signed = await signer.presign({ method: 'GET', protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: `/prof/${key}`, query: { versionId }, headers: { host: u.host } }, { expiresIn: 3600 })
  const query = Object.entries(signed.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')
  return `${endpoint}/prof/${key}?${query}`
}

/**
 * GETs the past version in a plain Node process, discarding the bytes, the
 * way InfinStor fetches a sequential read (8 MiB parts, --lanes in flight): what
 * moto's serving and Node's receiving cost at least, beside the FUSE ceiling.
 */
async function plainGet (): Promise<void> {
  const code = `const http = require('node:http'); const lanes = Number(process.argv[3]); const agent = new http.Agent({ keepAlive: true, maxSockets: lanes })
    const [url, size] = [process.argv[1], Number(process.argv[2])]; const part = 8 << 20; let next = 0
    const one = () => new Promise((resolve, reject) => {
      const start = next; next += part
      http.get(url, { agent, headers: { range: 'bytes=' + start + '-' + (Math.min(start + part, size) - 1) } }, r => {
        let n = 0; r.on('data', c => { n += c.length })
        r.on('end', () => r.statusCode === 206 && n === Math.min(part, size - start) ? resolve() : reject(new Error('GET ' + r.statusCode + ' ' + n)))
      }).on('error', reject)
    })
    const lane = async () => { while (next < size) await one() }
    Promise.all(Array.from({ length: lanes }, lane)).then(() => agent.destroy(), e => { console.error(e.message); process.exit(1) })`
  const child = spawn(process.execPath, ['-e', code, pastUrl, String(size), flags.lanes], { stdio: 'inherit' })
  const [status] = await once(child, 'exit') as [number | null]
  if (status !== 0) throw new Error(`the plain GETs of ${pastUrl} failed (${status})`)
}

/** The same GETs by curl, a process per lane: a receive that costs next to nothing. */
async function curlGet (): Promise<void> {
  const part = flags.whole ? size : 8 * MiB
  const n = flags.whole ? 1 : Number(flags.lanes)
  const lanes = Array.from({ length: n }, (_, lane) => {
    const args = ['-sSf']
    for (let start = lane * part; start < size; start += n * part) {
      args.push(...(flags.whole ? [] : ['-r', `${start}-${Math.min(start + part, size) - 1}`]), '-o', '/dev/null', pastUrl, '--next')
    }
    return spawn('curl', args.slice(0, -1), { stdio: 'inherit' })
  })
  for (const c of lanes) {
    const [status] = c.exitCode !== null ? [c.exitCode] : await once(c, 'exit') as [number | null]
    if (status !== 0) throw new Error(`curl's GETs of ${pastUrl} failed (${status})`)
  }
}

const PEERS: Record<string, Sys> = {
  memfs: {
    name: 'memfs',
    mount: async (ctx) => {
      const manifest = join(ctx.workDir, 'prof-manifest.json')
      writeFileSync(manifest, JSON.stringify({ files: [{ path: 'big.bin', size, mtime: 0 }, ...SMALL.map(k => ({ path: k, size: 16384, mtime: 0 }))] }))
      const m = await daemonMount(ctx, 'memfs', dir => ({ cmd: process.execPath, args: [MEMFS, manifest, dir], env: process.env }))
      return { m, path: key => `${m.dir}/${key}` }
    }
  },
  // The least any fuse-native daemon fed by moto can cost: the in-memory FUSE
  // ceiling's read while moto serves the same bytes to a plain GET.
  'memfs+get': {
    name: 'memfs+get',
    mount: async (ctx, ats) => await PEERS.memfs.mount(ctx, ats),
    alongside: plainGet
  },
  // The ceiling of a daemon that receives its own bytes: one GET, no logic of its own (streamfs-daemon.ts).
  streamfs: {
    name: 'streamfs',
    mount: async (ctx) => {
      const m = await daemonMount(ctx, 'streamfs', dir => ({ cmd: process.execPath, args: [STREAMFS, pastUrl, String(size), dir], env: process.env }))
      return { m, path: key => `${m.dir}/${key}` }
    }
  },
  'memfs+curl': {
    name: 'memfs+curl',
    mount: async (ctx, ats) => await PEERS.memfs.mount(ctx, ats),
    alongside: curlGet
  },
  rclone: {
    name: 'rclone',
    mount: async (ctx, ats) => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        RCLONE_CONFIG_P_TYPE: 's3',
        RCLONE_CONFIG_P_PROVIDER: 'Other',
        RCLONE_CONFIG_P_ENDPOINT: ctx.endpoint,
        RCLONE_CONFIG_P_ACCESS_KEY_ID: CREDENTIALS.AWS_ACCESS_KEY_ID,
        RCLONE_CONFIG_P_SECRET_ACCESS_KEY: CREDENTIALS.AWS_SECRET_ACCESS_KEY,
        RCLONE_CONFIG_P_REGION: CREDENTIALS.AWS_REGION
      }
      delete env.AWS_CA_BUNDLE
      const m = await daemonMount(ctx, 'rclone', dir => ({
        cmd: 'rclone', args: ['--config', '/dev/null', 'mount', 'p:prof', dir, '--read-only', '--s3-version-at', formatInstant(ats[0])], env
      }))
      return { m, path: key => `${m.dir}/${key}` }
    }
  },
  s3fs: {
    name: 's3fs',
    mount: async (ctx) => {
      const passwd = join(ctx.workDir, 'prof.passwd')
      writeFileSync(passwd, `${CREDENTIALS.AWS_ACCESS_KEY_ID}:${CREDENTIALS.AWS_SECRET_ACCESS_KEY}\n`, { mode: 0o600 })
      const m = await daemonMount(ctx, 's3fs', dir => ({
        cmd: 's3fs',
        args: ['prof', dir, '-f', '-o', [`url=${ctx.endpoint}`, 'use_path_request_style', `passwd_file=${passwd}`, 'ro', `endpoint=${CREDENTIALS.AWS_REGION}`].join(',')],
        env: process.env
      }))
      // s3fs shows the latest version only: the same size, other bytes.
      return { m, path: key => `${m.dir}/${key}` }
    }
  }
}

const systems: Sys[] = []
for (const s of flags.systems.split(',').filter(Boolean)) {
  if (s === 'infinstor') systems.push(infinstorAt('infinstor', BIN))
  else if (PEERS[s] !== undefined) systems.push(PEERS[s])
  else throw new Error(`unknown system ${s}`)
}
/** 'NAME=VALUE' as [NAME, VALUE], split at the first '=' (a value may hold more). */
function nameValue (s: string): [string, string] {
  const eq = s.indexOf('=')
  if (eq <= 0) throw new Error(`expected NAME=VALUE, not '${s}'`)
  return [s.slice(0, eq), s.slice(eq + 1)]
}
for (const v of flags.variant) {
  const [name, spec] = nameValue(v)
  const [bin, ...env] = spec.split(' ').filter(Boolean)
  systems.push(infinstorAt(name, bin, Object.fromEntries(env.map(nameValue))))
}

/** Runs the mode's reads through a mount; returns the bytes read, checked against what was asked. */
async function read (path: (key: string, reader: number) => string): Promise<number> {
  const check = (got: number, want: number): number => {
    if (got !== want) throw new Error(`read ${got} bytes, not ${want}`)
    return got
  }
  if (flags.mode === 'rand') {
    return check((await randomReads(path('big.bin', 0), randomOffsets(1000, size, 65536), 65536, 600_000)).bytes, 1000 * 65536)
  }
  if (flags.mode === 'small') return check((await readFiles(SMALL.map(k => path(k, 0)), 600_000)).bytes, SMALL.length * 16384)
  const done = await Promise.all(Array.from({ length: readers }, async (_, i) => await ddRead(path('big.bin', i), 600_000)))
  return check(done.reduce((n, d) => n + d.bytes, 0), readers * size)
}

/** Starts a system-wide perf recording; it is ready once perf says so on stderr. */
async function startPerf (out: string): Promise<ChildProcess> {
  const perf = spawn('perf', ['record', '-a', '-g', '-e', 'cpu-clock', '-F', '2000', '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] })
  // perf opens its counters before it runs its (absent) workload: a short settle suffices.
  await new Promise(resolve => setTimeout(resolve, 300))
  if (perf.exitCode !== null) throw new Error(`perf record exited with ${perf.exitCode}`)
  return perf
}

async function stopPerf (perf: ChildProcess): Promise<void> {
  perf.kill('SIGINT')
  if (perf.exitCode === null) await once(perf, 'exit')
}

const cpuSum = (c: Cpu): number => c.user + c.system
const fmt = (n: number): string => n.toFixed(2)

async function main (): Promise<void> {
  const workDir = join(WORK, 'readprof')
  mkdirSync(workDir, { recursive: true })
  if (flags.perf !== undefined) mkdirSync(flags.perf, { recursive: true })
  const cleanup = new Cleanup(join(WORK, 'readprof-live.json'))
  cleanup.sweepLeftovers()
  process.on('exit', () => cleanup.releaseAll())
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130))
  const moto = await startMoto({ env: { PYTHONPATH: MOTO_PATCH } })
  cleanup.addPid(moto.process.pid as number, `moto_server -H 127.0.0.1 -p ${moto.port} `)
  const s3 = s3Client(moto.endpoint)
  await s3.send(new CreateBucketCommand({ Bucket: 'prof' }))
  await s3.send(new PutBucketVersioningCommand({ Bucket: 'prof', VersioningConfiguration: { Status: 'Enabled' } }))
  const body = Buffer.allocUnsafe(size)
  const put = pLimit(16)
  await Promise.all(SMALL.map(async k => await put(async () => await s3.send(new PutObjectCommand({ Bucket: 'prof', Key: k, Body: randomFillSync(Buffer.allocUnsafe(16384)) })))))
  // Each past version is the view at a whole second between it and the next version.
  const ats: number[] = []
  for (let v = 0; v < versions; v++) {
    await s3.send(new PutObjectCommand({ Bucket: 'prof', Key: 'big.bin', Body: randomFillSync(body) }))
    await new Promise(resolve => setTimeout(resolve, 1100 - Date.now() % 1000))
    ats.push(Math.floor(Date.now() / 1000) * 1000)
    await new Promise(resolve => setTimeout(resolve, 1100))
  }
  await s3.send(new PutObjectCommand({ Bucket: 'prof', Key: 'big.bin', Body: randomFillSync(body) }))
  // moto reads an object out of its store on the first GET: not something to time.
  for (const v of (await s3.send(new ListObjectVersionsCommand({ Bucket: 'prof', Prefix: 'big.bin' }))).Versions ?? []) {
    // Newest first: with --versions > 1 the ceilings fetch the newest past version.
    if (v.IsLatest !== true && pastUrl === '') pastUrl = await presign(s3, moto.endpoint, 'big.bin', v.VersionId as string)
    const out = await s3.send(new GetObjectCommand({ Bucket: 'prof', Key: 'big.bin', VersionId: v.VersionId }))
    for await (const chunk of out.Body as AsyncIterable<Uint8Array>) void chunk
  }
  s3.destroy()
  await setNetwork(moto.endpoint, network)
  const ctx: SystemContext = { endpoint: moto.endpoint, cleanup, workDir, cacheBytes: Number(flags['cache-size']) * MiB }
  const results = new Map<string, Array<{ mibs: number, cpu: number }>>()
  for (let rep = 0; rep < Number(flags.reps); rep++) {
    for (const sys of systems) {
      const { m, path, latest } = await sys.mount(ctx, ats)
      try {
        if (flags.warm && latest !== undefined) await read(latest)
        await dropCaches()
        const perf = flags.perf !== undefined ? await startPerf(join(flags.perf, `${sys.name}-${rep + 1}.data`)) : undefined
        const pid = m.daemon.pid
        const t0 = threadCpu(pid)
        const f0 = minorFaults(pid)
        const p0 = processCpu(pid) as Cpu
        const s0 = processCpu(moto.process.pid as number) as Cpu
        const sent0 = await motoSent(moto.endpoint)
        const r0 = await motoRequests(moto.endpoint)
        const m0 = machineCpu()
        const w0 = threadWaitMs(pid)
        const q0 = cpuPressureMs()
        const start = performance.now()
        const [bytes] = await Promise.all([read(path), sys.alongside?.()])
        const seconds = (performance.now() - start) / 1000
        const p1 = processCpu(pid) as Cpu
        const faults = minorFaults(pid) - f0
        const peak = peakRss(pid) / MiB
        const s1 = processCpu(moto.process.pid as number) as Cpu
        const sent = (await motoSent(moto.endpoint) - sent0) / MiB
        const r1 = await motoRequests(moto.endpoint)
        const m1 = machineCpu()
        const t1 = threadCpu(pid)
        const q1 = cpuPressureMs()
        if (perf !== undefined) await stopPerf(perf)
        const waited = new Map<string, number>()
        for (const [tid, w] of threadWaitMs(pid)) {
          const name = tid === pid ? 'main' : w.name
          waited.set(name, (waited.get(name) ?? 0) + w.waitMs - (w0.get(tid)?.waitMs ?? 0))
        }
        const waits = [...waited].filter(([, ms]) => ms >= 1).sort((a, b) => b[1] - a[1]).map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(', ')
        const cpu = cpuSum(p1) - cpuSum(p0)
        const mibs = bytes / MiB / seconds
        results.set(sys.name, [...(results.get(sys.name) ?? []), { mibs, cpu }])
        const byName = new Map<string, Cpu>()
        for (const [tid, c] of t1) {
          const b = t0.get(tid) ?? { user: 0, system: 0 }
          const name = tid === pid ? 'main' : c.name
          const sum = byName.get(name) ?? { user: 0, system: 0 }
          byName.set(name, { user: sum.user + c.user - b.user, system: sum.system + c.system - b.system })
        }
        const threads = [...byName].filter(([, c]) => cpuSum(c) > 0).sort((a, b) => cpuSum(b[1]) - cpuSum(a[1]))
          .map(([n, c]) => `${n} ${fmt(c.user)}u+${fmt(c.system)}s`).join(', ')
        console.log(`rep ${rep + 1} ${sys.name.padEnd(10)} ${seconds.toFixed(2).padStart(6)} s ${mibs.toFixed(0).padStart(5)} MiB/s  daemon ${fmt(cpu)} CPU-s ` +
          `(${fmt(p1.user - p0.user)}u ${fmt(p1.system - p0.system)}s; ${fmt(cpu / (bytes / (1 << 30)))}/GiB)  faults ${faults}  peak RSS ${peak.toFixed(0)} MiB  moto ${fmt(cpuSum(s1) - cpuSum(s0))} CPU-s, sent ${sent.toFixed(0)} MiB in ${r1.requests - r0.requests} requests (${r1.ranged - r0.ranged} ranged)  ` +
          `machine ${fmt(m1.busy - m0.busy)} of ${fmt(m1.total - m0.total)} CPU-s busy  [${threads}]  ` +
          // How long some task, and each of the daemon's threads, waited for a CPU over the read.
          `waited for a CPU: any task ${q0 === undefined || q1 === undefined ? '?' : (q1 - q0).toFixed(0)} ms; daemon [${waits}] ms`)
      } finally {
        await m.unmount()
      }
    }
  }
  for (const [name, rs] of results) {
    console.log(`median ${name.padEnd(10)} ${median(rs.map(r => r.mibs)).toFixed(0).padStart(5)} MiB/s  ${fmt(median(rs.map(r => r.cpu)))} CPU-s`)
  }
  await moto.stop()
}

main().then(() => process.exit(0), (e: Error) => {
  console.error(e.stack ?? e.message)
  process.exit(1)
})
