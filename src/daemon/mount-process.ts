import { spawnSync } from 'node:child_process'
import { readFile, stat } from 'node:fs/promises'
import { InfinError } from '../core/errors.js'
import type { Settings } from '../config/settings.js'
import { openEngine } from './services.js'
import { serveBesideMount } from './http-beside-mount.js'
import { mountFuse } from '../fs/fuse/mount.js'
import type { Log } from '../config/log.js'
import {
  FS_TYPE, isAlive, lazyUnmount, mountedType, readStatus, removeStatus, writeStatus, type MountStatus
} from '../fs/mounts.js'
import { buildTree } from './open-tree.js'
import { startGatewayBeside } from '../gateway/index.js'

/** How often the daemon checks that its mount is still there (someone may run fusermount -u). */
const WATCH_MS = 2_000

export interface ServeOptions {
  mountpoint: string
  buckets?: string[]
  settings: Settings
  log: Log
  /** Where the daemon logs (recorded in the status file). */
  logFile?: string
  /** Also serve the HTTP API and the S3 gateway over the mount's tree (default: yes). */
  http?: boolean
  /** Tells a launching parent that the mount is up. */
  ready?: (status: MountStatus) => void
}

/** True when a status file's process is alive and still an infinstor process. */
export async function servedBy (s: MountStatus | undefined): Promise<boolean> {
  if (s === undefined || !isAlive(s.pid)) return false
  // A recycled pid belongs to some other program: its command line says so.
  const cmdline = await readFile(`/proc/${s.pid}/cmdline`, 'utf8').catch(() => undefined)
  return cmdline === undefined || cmdline.includes('infinstor')
}

/**
 * Makes sure `mountpoint` can be mounted: a directory, not served by a live
 * infinstor, and not left mounted by a crashed one (that is cleared).
 */
export async function prepareMountpoint (mountpoint: string, log: Log): Promise<void> {
  const type = await mountedType(mountpoint)
  if (type === undefined) {
    const st = await stat(mountpoint).catch(() => undefined)
    if (st === undefined) throw new InfinError('Usage', `mount point ${mountpoint} does not exist; create it first (mkdir -p ${mountpoint})`)
    if (!st.isDirectory()) throw new InfinError('Usage', `mount point ${mountpoint} is not a directory`)
    return
  }
  const s = await readStatus(mountpoint)
  if (await servedBy(s) && s?.pid !== process.pid) {
    throw new InfinError('Conflict', `${mountpoint} is already mounted by infinstor (pid ${s?.pid}); use 'infinstor unmount ${mountpoint}' first`)
  }
  if (type !== FS_TYPE) throw new InfinError('Conflict', `${mountpoint} is already a mount point (${type}); choose an empty directory`)
  log.info(`clearing a stale mount at ${mountpoint} (its process${s === undefined ? '' : ` ${s.pid}`} is gone)`)
  await lazyUnmount(mountpoint)
}

async function stopReason (mountpoint: string): Promise<string> {
  return await new Promise(resolve => {
    const done = (why: string): void => {
      clearInterval(watch)
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      resolve(why)
    }
    const onInt = (): void => done('SIGINT')
    const onTerm = (): void => done('SIGTERM')
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
    const watch = setInterval(() => {
      mountedType(mountpoint).then(t => { if (t !== FS_TYPE) done('the mount was removed from outside') }, () => {})
    }, WATCH_MS)
  })
}

/** Mounts and serves until SIGINT or SIGTERM, then unmounts. */
export async function serveMount (opts: ServeOptions): Promise<number> {
  const { mountpoint, settings, log } = opts
  await prepareMountpoint(mountpoint, log)
  const engine = openEngine(settings)
  const tree = buildTree(engine, settings, log, opts.buckets)
  const mounted = await mountFuse(mountpoint, tree, {
    attrTimeoutS: settings.num('attr-timeout'),
    entryTimeoutS: settings.num('entry-timeout'),
    // A big directory on a slow server may need many listings: it answers
    // late rather than fail. A down server still fails each request on the
    // S3 client's own timeouts and retries, long before this.
    deadlineMs: Math.max(1, settings.num('op-timeout')) * 1000,
    log
  })
  // A crash must not leave the mount point dead (ENOTCONN) for everyone.
  const onCrash = (e: unknown): void => {
    spawnSync('fusermount', ['-uz', mountpoint])
    // The log itself may be what failed (a closed pipe), so it comes last.
    try { log.info(`fatal: ${(e as Error)?.stack ?? String(e)}; unmounted`) } catch {}
    process.exit(1)
  }
  process.on('uncaughtException', onCrash)
  process.on('unhandledRejection', onCrash)
  const http = opts.http === false ? undefined : await serveBesideMount({ engine, settings, tree }, log)
  const gateway = opts.http === false ? undefined : await startGatewayBeside(engine, tree.reader, settings, log)
  const status: MountStatus = {
    mountpoint,
    pid: process.pid,
    started: new Date().toISOString(),
    endpoint: engine.s3.endpoint,
    buckets: opts.buckets,
    log: opts.logFile,
    http: http?.url
  }
  await writeStatus(status)
  log.info(`mounted ${opts.buckets === undefined ? 'all buckets' : opts.buckets.join(', ')}` +
    `${engine.s3.endpoint === undefined ? '' : ` of ${engine.s3.endpoint}`} at ${mountpoint} (pid ${process.pid})`)
  opts.ready?.(status)
  const why = await stopReason(mountpoint)
  log.info(`unmounting ${mountpoint} (${why})`)
  try {
    if (await mountedType(mountpoint) === FS_TYPE) await mounted.unmount()
  } catch (e) {
    log.info(`${(e as Error).message}; detaching it lazily`)
    await lazyUnmount(mountpoint).catch(err => log.info((err as Error).message))
  }
  await http?.close()
  await gateway?.close()
  await removeStatus(mountpoint, process.pid)
  engine.s3.destroy()
  process.off('uncaughtException', onCrash)
  process.off('unhandledRejection', onCrash)
  return 0
}
