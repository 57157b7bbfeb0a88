import type { Cleanup } from '../cleanup.js'
import type { Dataset } from '../datasets.js'
import type { SystemInfo } from '../types.js'

/** A time to view a dataset at: a past instant (ms) or the latest state. */
export type At = number | 'latest'

export interface Mounted {
  /** Where `key` of the mounted bucket is, as of `at`. */
  path: (at: At, key: string) => string
  /** The processes serving the mount, for their memory figures. */
  pids: number[]
  unmount: () => Promise<void>
}

/**
 * A filesystem under test. `travel` says which times one mount can show:
 * any time by path, a single time fixed at mount, or only the latest.
 */
export interface MountSystem {
  info: SystemInfo
  travel: 'any' | 'one-per-mount' | 'latest-only'
  mount: (ds: Dataset, at: At[]) => Promise<Mounted>
}

export interface SystemContext {
  endpoint: string
  cleanup: Cleanup
  /** Scratch space for logs, manifests and credentials files. */
  workDir: string
  cacheBytes: number
}

/** Credentials moto accepts; it checks none. */
export const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1' }
