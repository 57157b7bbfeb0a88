// Does the mount's memory grow with the bucket when the history index
// answers? (issue #14). A SYNTHETIC index (bench/src/index/generate.ts) of
// --keys keys, recorded as swept from a real moto bucket, is mounted; the
// same work is done at every size (ls -l and find + stat of four folders,
// the bucket's top folder), then, at sizes that have them, a longer walk.
// The daemon's RSS is read from /proc after each step.
// node bench/.work/dist/bench/src/index/rss.js --keys 4000,1000000 [--walk-folders 100] [--out FILE.json]
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { S3Client, CreateBucketCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3'
import { startMoto } from '../../../src/demo/moto.js'
import { endpointKey } from '../../../src/index/endpoint.js'
import { openIndex, type IndexStore } from '../../../src/index/open.js'
import { mountedPaths } from '../cleanup.js'
import { BIN, WORK } from '../paths.js'
import { check, unmount } from '../proc.js'
import { CREDENTIALS } from '../systems/types.js'
import { DAY, END, PER_FOLDER, loadSynthetic } from './generate.js'

const { values: flags } = parseArgs({
  options: {
    keys: { type: 'string', default: '4000,1000000' },
    'walk-folders': { type: 'string', default: '100' },
    out: { type: 'string' }
  }
})
const BUCKET = 'synthetic'
const SAME_WORK_FOLDERS = 4
const log = (line: string): void => { process.stderr.write(`index-rss: ${line}\n`) }

function rssOf (pid: number): { rss: number, hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
}

/** Runs a shell command in a child process (never in this one, which must not touch the mount itself). */
async function sh (command: string): Promise<{ seconds: number, out: string }> {
  const t = performance.now()
  const r = await check('sh', ['-c', command], { timeoutMs: 1_800_000 })
  return { seconds: (performance.now() - t) / 1000, out: r.stdout.trim() }
}

interface Step { step: string, seconds: number, result: string, rssMiB: number, peakMiB: number }

async function measure (endpoint: string, keys: number): Promise<Record<string, unknown>> {
  const dir = join(WORK, 'index-rss')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const file = join(dir, 'index.sqlite')
  const store = await openIndex(file, { create: true }) as IndexStore
  log(`${keys.toLocaleString('en-US')} keys: loading`)
  const loaded = await loadSynthetic(store, BUCKET, endpointKey(endpoint, CREDENTIALS.AWS_REGION), keys)
  await store.sql.run('ANALYZE')
  await store.close()
  log(`${loaded.rows.toLocaleString('en-US')} rows; mounting`)

  const mnt = join(dir, 'mnt')
  mkdirSync(mnt)
  const daemon = spawn(process.execPath, [BIN, 'mount', mnt, '--bucket', BUCKET, '--endpoint', endpoint, '--index', file, '--no-serve', '--foreground'],
    { env: { ...process.env, ...CREDENTIALS }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  daemon.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const steps: Step[] = []
  try {
    for (let i = 0; !mountedPaths().has(mnt); i++) {
      if (i > 600 || daemon.exitCode !== null) throw new Error(`the mount did not start: ${stderr}`)
      await sleep(50)
    }
    const pid = daemon.pid as number
    const view = `${mnt}/${BUCKET}/@${new Date(END - DAY).toISOString()}/ds`
    const record = async (step: string, command: string): Promise<void> => {
      const r = await sh(command)
      const m = rssOf(pid)
      steps.push({ step, seconds: r.seconds, result: r.out, rssMiB: m.rss / 2 ** 20, peakMiB: m.hwm / 2 ** 20 })
      log(`${step}: ${r.out} in ${r.seconds.toFixed(2)} s; RSS ${(m.rss / 2 ** 20).toFixed(1)} MiB, peak ${(m.hwm / 2 ** 20).toFixed(1)}`)
    }
    const idle = rssOf(pid)
    steps.push({ step: 'mounted, idle', seconds: 0, result: '', rssMiB: idle.rss / 2 ** 20, peakMiB: idle.hwm / 2 ** 20 })
    const folders = Math.ceil(keys / PER_FOLDER)
    const some = (n: number): string => Array.from({ length: Math.min(n, folders) }, (_, i) => `${view}/p${String(i).padStart(4, '0')}`).join(' ')
    await record(`ls -l of ${SAME_WORK_FOLDERS} folders`, `for d in ${some(SAME_WORK_FOLDERS)}; do ls -l "$d"; done | wc -l`)
    await record(`find + stat of the same ${SAME_WORK_FOLDERS} folders`, `find ${some(SAME_WORK_FOLDERS)} -printf '%s\\n' | wc -l`)
    await record('ls of the top folder (every subfolder, by skip-scan)', `ls "${view}" | wc -l`)
    const walk = Number(flags['walk-folders'])
    if (folders > SAME_WORK_FOLDERS && walk > SAME_WORK_FOLDERS) {
      await record(`find + stat of ${Math.min(walk, folders)} folders`, `find ${some(walk)} -printf '%s\\n' | wc -l`)
    }
  } finally {
    await unmount(mnt)
    daemon.kill('SIGTERM')
    await sleep(500)
    rmSync(dir, { recursive: true, force: true })
  }
  return { keys, rows: loaded.rows, steps, loadavg: loadavg() }
}

Object.assign(process.env, CREDENTIALS)
const moto = await startMoto()
const results: Record<string, unknown> = { synthetic: true, loadavgBefore: loadavg(), runs: [] }
try {
  const s3 = new S3Client({ endpoint: moto.endpoint, region: CREDENTIALS.AWS_REGION, forcePathStyle: true })
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }))
  await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }))
  s3.destroy()
  for (const keys of (flags.keys ?? '').split(',').map(Number)) (results.runs as unknown[]).push(await measure(moto.endpoint, keys))
} finally {
  await moto.stop()
}
const text = JSON.stringify(results, null, 2)
if (flags.out !== undefined) writeFileSync(flags.out, text + '\n')
process.stdout.write(text + '\n')
