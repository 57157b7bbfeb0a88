import Fuse from 'fuse-native'
import { InfinError } from '../../core/errors.js'
import type { Log } from '../log.js'
import type { TimeTree } from '../tree.js'
import { runner } from './edge.js'
import { readOps } from './ops-read.js'
import { writeOps } from './ops-write.js'

export interface FuseMountOptions {
  /**
   * Seconds the kernel may trust an entry or its attributes. libfuse 2's
   * high-level API (all fuse-native offers) has one value for the whole
   * mount, so it cannot be long for past views and short for `@latest`.
   */
  attrTimeoutS: number
  /** Every operation answers within this, S3 or not. */
  deadlineMs: number
  log: Log
}

export interface FuseMount {
  mountpoint: string
  unmount: () => Promise<void>
}

/** Mounts the tree at `mountpoint`. The kernel-facing choices are all here. */
export async function mountFuse (mountpoint: string, tree: TimeTree, opts: FuseMountOptions): Promise<FuseMount> {
  const run = runner(opts.log, opts.deadlineMs)
  // fuse-native drops a timeout of 0 (libfuse's 1 s applies then): 1 ms is the closest to "never trust".
  const timeout = opts.attrTimeoutS > 0 ? opts.attrTimeoutS : 0.001
  const fuse = new Fuse(mountpoint, { ...writeOps(), ...readOps(tree, run) }, {
    fsname: 'infinstor',
    subtype: 'infinstor',
    // The page cache survives between opens while a file's size and mtime
    // stay the same, and is dropped when they change: past versions stay
    // cached, a file replaced under `@latest` is read afresh.
    autoCache: true,
    entryTimeout: timeout,
    attrTimeout: timeout
  })
  await new Promise<void>((resolve, reject) => {
    fuse.mount(err => {
      if (err === null) resolve()
      else reject(new InfinError('Unavailable', `cannot mount at ${mountpoint}: ${err.message}`, { cause: err }))
    })
  })
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
