import { existsSync } from 'node:fs'
import { platform } from 'node:os'
import { InfinError } from '../../core/errors.js'
import type { Log } from '../../config/log.js'
import type { Owner } from '../attrs.js'
import type { TimeTree } from '../../tree/time-tree.js'
import { runner } from './edge.js'
import { readOps } from './ops-read.js'
import { setKernelReadahead } from './readahead.js'
import { writeOps } from './ops-write.js'

export interface FuseMountOptions {
  /** Seconds the kernel may trust a file's size and mtime before asking again. */
  attrTimeoutS: number
  /**
   * Seconds the kernel may keep a name without looking it up again. The
   * kernel drops an expired entry (its inode, and that inode's cached pages)
   * as soon as the file is closed, so this is also how long the page cache
   * of a closed file can last.
   */
  entryTimeoutS: number
  /** KiB the kernel reads ahead of a sequential reader (see readahead.ts). */
  readaheadKiB: number
  /** Every operation answers within this, S3 or not (reads sooner, on the reader's own deadline). */
  deadlineMs: number
  /** Who owns every file and directory: the user who mounted. */
  owner: Owner
  log: Log
}

export interface FuseMount {
  mountpoint: string
  unmount: () => Promise<void>
}

/** fuse-native drops a timeout of 0 (libfuse's 1 s then applies): 1 ms is the closest to "never trust". */
function positive (seconds: number): number {
  return seconds > 0 ? seconds : 0.001
}

type FuseClass = typeof import('fuse-native').default

/**
 * fuse-native, loaded only when a mount starts: its native part needs
 * libfuse 2, which every other command must work without. When it cannot
 * load, the error says what to install.
 */
export async function loadFuse (): Promise<FuseClass> {
  try {
    return (await import('fuse-native')).default
  } catch (e) {
    throw new InfinError('Unavailable', `cannot mount: ${fuseMissing(e)}`, { cause: e })
  }
}

function fuseMissing (e: unknown): string {
  const why = String((e as Error)?.message ?? e).split('\n')[0]
  if (platform() !== 'linux') return `FUSE mounts work on Linux only (this is ${platform()}); every other command works here`
  if (!existsSync('/dev/fuse')) {
    return 'FUSE is unavailable here (no /dev/fuse; in a container, run it with --device /dev/fuse --cap-add SYS_ADMIN); ' +
      'every other command works without it'
  }
  if ((e as { code?: string })?.code === 'ERR_DLOPEN_FAILED' || /libfuse/.test(why)) {
    return `libfuse 2 could not be loaded (${why}). Install it: sudo apt-get install libfuse2 fuse ` +
      '(Debian, Ubuntu), or your distribution\'s libfuse 2 package'
  }
  return `the fuse-native module could not be loaded (${why}); reinstall InfinStor's npm packages (npm ci)`
}

/** Mounts the tree at `mountpoint`. The kernel-facing choices are all here. */
export async function mountFuse (mountpoint: string, tree: TimeTree, opts: FuseMountOptions): Promise<FuseMount> {
  const Fuse = await loadFuse()
  const run = runner(opts.log, opts.deadlineMs)
  const fuse = new Fuse(mountpoint, { ...writeOps(), ...readOps(tree, opts.owner, run) }, {
    fsname: 'infinstor',
    subtype: 'infinstor',
    // The page cache survives between opens while a file's size and mtime
    // stay the same, and is dropped when they change: past versions stay
    // cached, a file replaced under `@latest` is read afresh.
    autoCache: true,
    // libfuse 2's high-level API (all fuse-native offers) has one value of
    // each for the whole mount: past views cannot get long timeouts while
    // `@latest` gets short ones. So names live long, which keeps inodes and
    // their pages; attributes live briefly, so a file replaced under
    // `@latest` shows its new size and mtime soon (and auto_cache then drops
    // its pages). Missing names are never cached: new files show at once.
    entryTimeout: positive(opts.entryTimeoutS),
    attrTimeout: positive(opts.attrTimeoutS),
    // The runner answers every operation by its deadline (edge.ts). fuse-native's
    // own limit would add a second timer to each operation, and answer a slow listing first.
    timeout: false
  })
  await new Promise<void>((resolve, reject) => {
    fuse.mount(err => {
      if (err === null) resolve()
      else reject(new InfinError('Unavailable', `cannot mount at ${mountpoint}: ${err.message}`, { cause: err }))
    })
  })
  await setKernelReadahead(mountpoint, opts.readaheadKiB, opts.log)
  let unmounting: Promise<void> | undefined
  return {
    mountpoint,
    unmount: async () => {
      unmounting ??= new Promise<void>((resolve, reject) => {
        fuse.unmount(err => {
          if (err === null) resolve()
          else reject(new InfinError('Unavailable', `cannot unmount ${mountpoint}: ${err.message}`, { cause: err }))
        })
      })
      await unmounting
    }
  }
}
