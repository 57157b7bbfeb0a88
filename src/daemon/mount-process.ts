import { spawnSync } from 'node:child_process'
import type { Log } from '../config/log.js'
import type { Settings } from '../config/settings.js'
import { mountFuse } from '../fs/fuse/mount.js'
import {
  FS_TYPE, lazyUnmount, mountedType, prepareMountpoint, removeStatus, writeStatus, type MountStatus
} from '../fs/mounts.js'
import { startGatewayBeside } from '../gateway/index.js'
import { startHttpBesideMount } from './http-app.js'
import { keepIndex } from './index-keeper.js'
import { openReader, openTree } from './open-tree.js'
import { openServices } from './services.js'
import { noteStopSignal, STOP_SIGNALS, stoppedBy } from './signals.js'

/** How often the daemon checks that its mount is still there (someone may run fusermount -u). */
const WATCH_MS = 2_000

export interface MountProcessOptions {
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

interface StopSignals {
  /** The first reason to stop. */
  reason: Promise<string>
  /** Also stops when the mount disappears (call once mounted). */
  watch: () => void
  release: () => void
}

/**
 * Waits for the first reason to stop. The signal handlers stay installed
 * until the caller removes them (after unmounting): a terminal's Ctrl-C
 * reaches every process of the group, so a parent's SIGTERM often follows
 * the SIGINT, and a second signal must not kill the process before it has
 * unmounted (that would leave the mount point dead, ENOTCONN). Closing the
 * terminal of a `--foreground` mount (SIGHUP) unmounts too; the terminal
 * is gone then, so writing to it may fail, and that must not stop the unmount.
 */
function stopSignals (mountpoint: string, log: Log): StopSignals {
  let first: string | undefined
  let watch: NodeJS.Timeout | undefined
  let resolveReason: (why: string) => void = () => {}
  const reason = new Promise<string>(resolve => { resolveReason = resolve })
  const done = (why: string): void => {
    if (first !== undefined) {
      log.info(`${why} while unmounting (after ${first}): still unmounting`)
      return
    }
    first = why
    clearInterval(watch)
    resolveReason(why)
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    noteStopSignal(signal)
    done(signal)
  }
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal)
  return {
    reason,
    watch: () => {
      if (first !== undefined) return
      watch = setInterval(() => {
        mountedType(mountpoint).then(t => { if (t !== FS_TYPE) done('the mount was removed from outside') }, () => {})
      }, WATCH_MS)
    },
    release: () => {
      clearInterval(watch)
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal)
    }
  }
}

/**
 * The mount process: mounts the tree, serves the HTTP API beside it over
 * the same tree, and runs until SIGINT, SIGTERM or SIGHUP, then unmounts.
 */
export async function runMount (opts: MountProcessOptions): Promise<number> {
  const { mountpoint, settings, log } = opts
  await prepareMountpoint(mountpoint, log)
  const services = openServices(settings)
  const tree = openTree(services, openReader(services, log), log, opts.buckets)
  // From here on a signal means "unmount first, then exit", however many arrive.
  const signals = stopSignals(mountpoint, log)
  // Ready means ready to read: the S3 client loads while the kernel mounts,
  // then asks each named bucket's versioning, which the first look into it
  // needs (unless the history index covers that view) and which shows the
  // lean GETs the bucket's route. A fresh client's first request runs cold
  // code: a fresh mount's first stat of a time directory took 72 to 98 ms
  // when it waited for this, 12 to 18 now. Not awaited (a slow S3 must not
  // hold the mount back); a failure is not kept, and the first look asks again.
  const prepared = services.s3.prepare()
  void prepared.then(() => {
    for (const bucket of opts.buckets ?? []) services.engine.versioningOf(bucket).catch(() => {})
  })
  const mounted = await mountFuse(mountpoint, tree, {
    attrTimeoutS: settings.get('attr-timeout'),
    entryTimeoutS: settings.get('entry-timeout'),
    readaheadKiB: settings.get('kernel-readahead'),
    // A big directory on a slow server may need many listings: it answers
    // late rather than fail. A down server still fails each request on the
    // S3 client's own timeouts and retries, long before this.
    deadlineMs: Math.max(1, settings.get('op-timeout')) * 1000,
    owner: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
    log
  }).catch(e => {
    signals.release()
    services.close()
    throw e
  })
  signals.watch()
  // A crash must not leave the mount point dead (ENOTCONN) for everyone.
  const onCrash = (e: unknown): void => {
    spawnSync('fusermount', ['-uz', mountpoint])
    // The log itself may be what failed (a closed pipe), so it comes last.
    try { log.info(`fatal: ${(e as Error)?.stack ?? String(e)}; unmounted`) } catch {}
    process.exit(1)
  }
  process.on('uncaughtException', onCrash)
  process.on('unhandledRejection', onCrash)
  const gateway = opts.http === false ? undefined : await startGatewayBeside(services, tree.reader, log)
  const beside = opts.http === false ? { why: 'turned off (--no-serve)' } : await startHttpBesideMount(services, tree, log, gateway?.url ?? null)
  const http = beside.server
  const stopKeeper = await keepIndex(services, log)
  await prepared
  const endpoint = services.engine.endpoint
  const status: MountStatus = {
    mountpoint,
    pid: process.pid,
    started: new Date().toISOString(),
    endpoint,
    buckets: opts.buckets,
    log: opts.logFile,
    http: http?.url,
    httpNotServed: beside.why
  }
  await writeStatus(status)
  log.info(`mounted ${opts.buckets === undefined ? 'all buckets' : opts.buckets.join(', ')}` +
    `${endpoint === undefined ? '' : ` of ${endpoint}`} at ${mountpoint} (pid ${process.pid})`)
  opts.ready?.(status)
  const why = await signals.reason
  log.info(`unmounting ${mountpoint} (${why})`)
  try {
    if (await mountedType(mountpoint) === FS_TYPE) await mounted.unmount()
  } catch (e) {
    log.info(`${(e as Error).message}; detaching it lazily`)
    await lazyUnmount(mountpoint).catch(err => log.info((err as Error).message))
  }
  await http?.close()
  await gateway?.close()
  await stopKeeper?.()
  await removeStatus(mountpoint, process.pid)
  await services.close()
  process.off('uncaughtException', onCrash)
  process.off('unhandledRejection', onCrash)
  signals.release()
  return await stoppedBy(why)
}
