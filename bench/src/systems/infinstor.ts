import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { formatInstant } from '../../../src/core/timespec.js'
import { daemonEnv } from '../../../src/daemon/malloc.js'
import type { Dataset } from '../datasets.js'
import { BIN, ROOT } from '../paths.js'
import { run } from '../proc.js'
import type { SystemInfo } from '../types.js'
import { daemonMount } from './mountpoint.js'
import { CREDENTIALS, type At, type Mounted, type MountSystem, type SystemContext } from './types.js'

export function spec (at: At): string {
  return at === 'latest' ? '@latest' : '@' + formatInstant(at)
}

export async function infinstorVersion (): Promise<string> {
  const version = await run('git', ['-C', ROOT, 'describe', '--always', '--dirty'], { timeoutMs: 10_000 })
  return `0.1.0 (${version.stdout.trim() || 'unknown commit'})`
}

/**
 * `infinstor mount` of one dataset's bucket, reading the history index
 * `index` names (a file that does not exist means no index: live listings).
 */
export async function mountInfinstor (ctx: SystemContext, name: string, ds: Dataset, index: string): Promise<Mounted> {
  // --cache-size counts MiB.
  const m = await daemonMount(ctx, name, dir => ({
    cmd: process.execPath,
    args: [BIN, 'mount', dir, '--bucket', ds.bucket, '--endpoint', ctx.endpoint, '--index', index,
      '--cache-size', String(ctx.cacheBytes / (1 << 20)), '--no-serve', '--foreground'],
    // As `infinstor mount` (in the background) runs its daemon: with huge pages, by default.
    env: daemonEnv({ ...process.env, ...CREDENTIALS }, true)
  }))
  return { path: (at, key) => `${m.dir}/${ds.bucket}/${spec(at)}/${key}`, pids: [m.daemon.pid], unmount: m.unmount }
}

/**
 * InfinStor's FUSE mount without a history index: every time of every
 * bucket by path, in one mount, from live version listings. Its index
 * setting names a file that never exists, so the user's default index
 * (under ~/.local/state) is never read.
 */
export async function infinstor (ctx: SystemContext): Promise<MountSystem> {
  const info: SystemInfo = { id: 'infinstor', name: 'InfinStor mount', role: 'system under test, live listings (no history index)', version: await infinstorVersion() }
  const none = join(ctx.workDir, 'no-index')
  rmSync(none, { recursive: true, force: true })
  mkdirSync(none, { recursive: true })
  return {
    info,
    travel: 'any',
    mount: async (ds: Dataset, _at: At[]): Promise<Mounted> => await mountInfinstor(ctx, 'infinstor', ds, join(none, 'absent.sqlite'))
  }
}
