// `npm run bench [-- --quick] [--only seq,rand,ls,find,small,par,gw,ix]
// [--systems infinstor,infinstor-ix,rclone,s3fs,direct,memfs] [--networks loopback,s3]
// [--stock-moto] [--repetitions N] [--out DIR]`: InfinStor against its peers on one moto
// server, written to bench/results/ (quick runs: bench/.work/results-quick/).
// Read scenarios run under each network profile (see network.ts); the
// listing and gateway scenarios on loopback only.
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startMoto, type Moto } from '../../src/demo/moto.js'
import { Cleanup } from './cleanup.js'
import { FULL, QUICK, runConfig } from './config.js'
import { generate, warm } from './datasets.js'
import { machine } from './machine.js'
import { Recorder, type Bench } from './measure.js'
import { NETWORKS, motoSent, setNetwork, type Network } from './network.js'
import { MOTO_PATCH, RESULTS, WORK } from './paths.js'
import { dropCaches } from './proc.js'
import { toJson, toMarkdown } from './report.js'
import { random, parallel, sequential } from './scenarios/big.js'
import { gateway } from './scenarios/gateway.js'
import { historyIndex, recordSweeps } from './scenarios/history.js'
import { find, listing, smallFiles } from './scenarios/tree.js'
import { Direct } from './systems/direct.js'
import { infinstor } from './systems/infinstor.js'
import { infinstorIndexed } from './systems/infinstor-ix.js'
import { memfs } from './systems/memfs.js'
import { rclone } from './systems/rclone.js'
import { s3fs } from './systems/s3fs.js'
import type { SystemContext } from './systems/types.js'
import { SYSTEM_ORDER, type RunResults, type SystemInfo } from './types.js'

/** Read scenarios take the network they run under; listings and the gateway run on loopback. */
const SCENARIOS: Record<string, { run: (b: Bench, net: Network) => Promise<void>, reads: boolean }> = {
  seq: { run: sequential, reads: true },
  rand: { run: random, reads: true },
  ls: { run: listing, reads: false },
  find: { run: find, reads: false },
  small: { run: smallFiles, reads: true },
  par: { run: parallel, reads: true },
  gw: { run: gateway, reads: false },
  ix: { run: historyIndex, reads: false }
}

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    systems: { type: 'string' },
    out: { type: 'string' },
    networks: { type: 'string' },
    'stock-moto': { type: 'boolean', default: false },
    repetitions: { type: 'string' }
  }
})

// The SDK's notice about its future Node support would interleave with the log.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
const t0 = performance.now()
const log = (line: string): void => { process.stderr.write(`bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s: ${line}\n`) }
const base = flags.quick === true ? QUICK : FULL
// Fewer repetitions (for a run that must fit a time budget); the report says how many were made.
const reps = flags.repetitions === undefined ? undefined : Number(flags.repetitions)
if (reps !== undefined && !(Number.isInteger(reps) && reps >= 1)) throw new Error(`--repetitions must be a whole number of at least 1, not ${flags.repetitions}`)
const profile = reps === undefined ? base : { ...base, repetitions: reps, heavyRepetitions: Math.min(base.heavyRepetitions, reps) }
const only = flags.only?.split(',') ?? Object.keys(SCENARIOS)
const wanted = flags.systems?.split(',') ?? [...SYSTEM_ORDER]
const stockMoto = flags['stock-moto'] === true
const outDir = flags.out ?? (profile.mode === 'quick' ? join(WORK, 'results-quick') : RESULTS)
for (const s of only) if (!(s in SCENARIOS)) throw new Error(`unknown scenario ${s}; known: ${Object.keys(SCENARIOS).join(', ')}`)
const networks = (flags.networks?.split(',') ?? Object.keys(NETWORKS)).map(id => {
  const n = NETWORKS[id as Network['id']]
  if (n === undefined) throw new Error(`unknown network ${id}; known: ${Object.keys(NETWORKS).join(', ')}`)
  return n
})
// The network profiles live in the moto patch.
if (stockMoto && networks.some(n => n.id !== 'loopback')) throw new Error('--stock-moto runs on loopback only: add --networks loopback')

mkdirSync(WORK, { recursive: true })
const cleanup = new Cleanup(join(WORK, 'live.json'))
cleanup.sweepLeftovers()
let moto: Moto | undefined

// Whatever ends the run, no mount or daemon outlives it.
process.on('exit', () => {
  cleanup.releaseAll()
  if (moto !== undefined && moto.process.exitCode === null) moto.process.kill('SIGKILL')
})
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    log(`${sig}: cleaning up`)
    process.exit(130)
  })
}

async function main (): Promise<void> {
  const started = new Date()
  const loadAtStart = loadavg()[0]
  log(`${profile.mode} run`)
  const env = stockMoto ? {} : { PYTHONPATH: [MOTO_PATCH, process.env.PYTHONPATH].filter(Boolean).join(':') }
  moto = await startMoto({ env })
  const motoPid = moto.process.pid as number
  const endpoint = moto.endpoint
  cleanup.addPid(motoPid, `moto_server -H 127.0.0.1 -p ${moto.port} `)
  log(`moto at ${moto.endpoint}; writing datasets`)
  const data = await generate(moto.endpoint, profile, log)
  // moto reads an object's bytes out of its store on the first GET: not something to time.
  await warm(moto.endpoint, data)

  const workDir = join(WORK, 'run')
  mkdirSync(workDir, { recursive: true })
  const ctx: SystemContext = { endpoint: moto.endpoint, cleanup, workDir, cacheBytes: profile.cacheBytes }
  const all = [await infinstor(ctx), await infinstorIndexed(ctx, profile.budgetMs), await rclone(ctx), await s3fs(ctx), memfs(ctx)].filter(s => wanted.includes(s.info.id))
  const direct = wanted.includes('direct') ? new Direct(ctx) : undefined
  await direct?.init()
  const systems: SystemInfo[] = [...all.map(s => s.info), ...(direct !== undefined ? [direct.info] : [])]
  for (const s of systems) log(`${s.name}: ${s.skipped !== undefined ? 'SKIPPED, ' + s.skipped : s.version ?? ''}`)

  const server = moto.process
  const rec = new Recorder(log, () => server.exitCode !== null || server.signalCode !== null
    ? `moto exited (${server.signalCode ?? `code ${server.exitCode}`}; if SIGKILL, see dmesg for the OOM killer)`
    : undefined)
  const bench: Bench = {
    profile,
    data,
    mounts: all.filter(s => s.info.skipped === undefined),
    direct: direct?.info.skipped === undefined ? direct : undefined,
    rec,
    ctx,
    network: async n => { if (!stockMoto) await setNetwork(endpoint, n) },
    s3Sent: stockMoto ? undefined : async () => await motoSent(endpoint)
  }
  const dropped = await dropCaches()
  if (!dropped) log('cannot drop the page cache (not root?): cold runs rely on fresh mounts only')
  for (const name of only) {
    const scenario = SCENARIOS[name]
    for (const net of scenario.reads ? networks : [NETWORKS.loopback]) {
      log(`scenario ${name}, ${net.name}`)
      await bench.network(net)
      await scenario.run(bench, net)
    }
  }
  await bench.network(NETWORKS.loopback)
  recordSweeps(bench)
  for (const s of systems.filter(s => s.skipped !== undefined)) {
    for (const m of rec.metrics) rec.skip(m.id, s.id, s.skipped as string)
  }

  const results: RunResults = {
    startedAt: started.toISOString(),
    seconds: (Date.now() - started.getTime()) / 1000,
    config: runConfig(profile, dropped, !stockMoto, networks),
    machine: await machine(loadAtStart),
    systems,
    metrics: rec.metrics
  }
  const report = toJson(results)
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'latest.json'), JSON.stringify(report, null, 2) + '\n')
  writeFileSync(join(outDir, 'latest.md'), toMarkdown(report) + '\n')
  log(`report written to ${join(outDir, 'latest.md')} (${results.seconds.toFixed(0)} s)`)
  for (const g of report.goals) log(`goal ${g.id}: ${g.met ? 'met' : 'NOT met'}${g.cause !== undefined ? ' (' + g.cause + ')' : ''}`)
  await moto.stop()
  cleanup.dropPid(motoPid)
}

main().then(() => process.exit(0), (e: Error) => {
  log(`failed: ${e.stack ?? e.message}`)
  process.exit(1)
})
