import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, open, readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InfinError } from '../core/errors.js'
import { streamLog } from '../config/log.js'
import { daemonEnv, namesHugePages } from '../daemon/malloc.js'
import { runMount } from '../daemon/mount-process.js'
import {
  allStatuses, canonicalMountpoint, FS_TYPE, logFileFor, mountedType, prepareMountpoint, readStatus, servedBy, stateDir,
  type MountStatus
} from '../fs/mounts.js'
import type { Command, CommandContext } from './commands.js'
import { needArgs } from './context.js'

const BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/infinstor')
/** Set by a launching parent: the daemon's log file (its stdout and stderr). */
const DAEMON_LOG_ENV = 'INFINSTOR_DAEMON_LOG'
const START_TIMEOUT_MS = 60_000

export const mount: Command = {
  summary: 'mount buckets read-only at every time: MOUNTPOINT/BUCKET/@TIME/path',
  usage: 'MOUNTPOINT [--bucket B]... [--foreground] [--no-serve | --port P]   |   --status [MOUNTPOINT]',
  settings: ['port', 'cache-size', 'whole-file-size', 'cache-dir', 'cache-dir-size', 'attr-timeout', 'entry-timeout', 'op-timeout', 'kernel-readahead', 'huge-pages'],
  options: {
    bucket: { type: 'string', multiple: true },
    foreground: { type: 'boolean' },
    'no-serve': { type: 'boolean' },
    status: { type: 'boolean' }
  },
  async run (ctx) {
    if (ctx.flags.status === true) return await showStatus(ctx)
    needArgs(ctx, 1, 'one MOUNTPOINT')
    const mountpoint = await canonicalMountpoint(ctx.args[0])
    const buckets = ctx.flags.bucket as string[] | undefined
    if (ctx.flags.foreground !== true) return await startDaemon(ctx, mountpoint)
    const logFile = process.env[DAEMON_LOG_ENV]
    const code = await runMount({
      mountpoint,
      buckets,
      http: ctx.flags['no-serve'] !== true,
      settings: ctx.settings,
      log: streamLog(line => process.stderr.write(line)),
      logFile,
      ready: status => {
        if (process.send === undefined) {
          // glibc read its settings when this process started: too late to ask for huge pages now.
          const note = ctx.settings.get('huge-pages') && !namesHugePages(process.env)
            ? 'infinstor: note: block memory in 4 KiB pages: a foreground mount has huge pages only if started ' +
              'with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (a background mount sets it; --huge-pages=false turns this note off)\n'
            : ''
          process.stderr.write(`infinstor: serving ${status.mountpoint}; Ctrl-C to unmount\n${note}`)
        } else if (process.connected) {
          // Launched by `infinstor mount` in the background: tell it, then stand alone.
          process.send({ ready: status })
          process.disconnect()
        }
      }
    })
    // fuse-native's mount thread can keep the event loop alive after unmounting.
    process.exit(code)
  }
}

/** The same command, in the foreground, as a detached child that outlives this process. */
function childArgs (ctx: CommandContext, mountpoint: string): string[] {
  const args = ['mount', mountpoint, '--foreground']
  for (const [name, value] of Object.entries(ctx.flags)) {
    if (name === 'foreground' || name === 'status' || name === 'help' || value === undefined || value === false) continue
    for (const v of Array.isArray(value) ? value : [value]) args.push(v === true ? `--${name}` : `--${name}=${String(v)}`)
  }
  return args
}

async function startDaemon (ctx: CommandContext, mountpoint: string): Promise<number> {
  // Checked (and a stale mount cleared) here too, so that mistakes are reported at once, on the terminal.
  await prepareMountpoint(mountpoint, streamLog(line => process.stderr.write(line)))
  await mkdir(stateDir(), { recursive: true, mode: 0o700 })
  const logFile = logFileFor(mountpoint)
  const out = await open(logFile, 'a', 0o600)
  const child = spawn(process.execPath, [BIN, ...childArgs(ctx, mountpoint)], {
    detached: true,
    stdio: ['ignore', out.fd, out.fd, 'ipc'],
    env: daemonEnv({ ...process.env, [DAEMON_LOG_ENV]: logFile }, ctx.settings.get('huge-pages'))
  })
  await out.close()
  const timer = setTimeout(() => child.kill('SIGTERM'), START_TIMEOUT_MS)
  const outcome = await Promise.race([
    once(child, 'message').then(([m]) => ({ ready: (m as { ready: MountStatus }).ready })),
    once(child, 'exit').then(([code]) => ({ code: code as number | null }))
  ])
  clearTimeout(timer)
  if ('ready' in outcome) {
    child.disconnect()
    child.unref()
    process.stdout.write(`mounted at ${mountpoint} (pid ${outcome.ready.pid}); log: ${logFile}\n` +
      (outcome.ready.http === undefined
        ? `HTTP API not served: ${outcome.ready.httpNotServed ?? 'turned off'}\n`
        : `HTTP API (dashboard, Jupyter contents) at ${outcome.ready.http}\n`) +
      `unmount with: infinstor unmount ${mountpoint}\n`)
    return 0
  }
  const tail = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').filter(l => l.startsWith('infinstor:')).at(-1)
  process.stderr.write(`${tail ?? `infinstor: the mount process stopped before mounting; see ${logFile}`}\n`)
  return outcome.code ?? 1
}

async function describe (s: MountStatus): Promise<{ ok: boolean, text: string }> {
  const type = await mountedType(s.mountpoint)
  const alive = await servedBy(s)
  const what = s.buckets === undefined ? 'all buckets' : s.buckets.join(', ')
  if (alive && type === FS_TYPE) {
    return { ok: true, text: `${s.mountpoint}: mounted by pid ${s.pid} since ${s.started}; ${what}` +
      `${s.endpoint === undefined ? '' : ` at ${s.endpoint}`}${s.log === undefined ? '' : `; log: ${s.log}`}\n` +
      `  HTTP API (dashboard, Jupyter contents): ${await httpState(s)}` }
  }
  const left = type === undefined ? 'nothing is mounted there' : "the mount point is stale: run 'infinstor unmount' or mount again"
  return { ok: false, text: `${s.mountpoint}: not served (pid ${s.pid} is gone); ${left}` }
}

/** Whether the HTTP server beside a mount answers, and where (any reply counts: without a token it is a 401). */
async function httpState (s: MountStatus): Promise<string> {
  if (s.http === undefined) return `not served: ${s.httpNotServed ?? 'turned off'}`
  const port = new URL(s.http).port
  try {
    const res = await fetch(`${s.http}/api/infinstor/info`, { signal: AbortSignal.timeout(5000) })
    await res.arrayBuffer()
    return `up at ${s.http} (port ${port})`
  } catch (e) {
    return `not answering at ${s.http} (port ${port}): ${(e as Error).message}`
  }
}

async function showStatus (ctx: CommandContext): Promise<number> {
  if (ctx.args.length === 0) {
    for (const s of await allStatuses()) process.stdout.write((await describe(s)).text + '\n')
    return 0
  }
  needArgs(ctx, 1, 'at most one MOUNTPOINT')
  const mountpoint = await canonicalMountpoint(ctx.args[0])
  const s = await readStatus(mountpoint)
  if (s === undefined) throw new InfinError('NotFound', `${mountpoint}: not mounted by infinstor`)
  const d = await describe(s)
  if (!d.ok) throw new InfinError('NotFound', d.text)
  process.stdout.write(d.text + '\n')
  return 0
}
