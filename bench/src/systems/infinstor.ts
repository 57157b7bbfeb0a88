import { existsSync } from 'node:fs'
import { formatInstant } from '../../../src/core/timespec.js'
import type { Dataset } from '../datasets.js'
import { BIN, ROOT } from '../paths.js'
import { run } from '../proc.js'
import type { SystemInfo } from '../types.js'
import { daemonMount, unavailable } from './mountpoint.js'
import { CREDENTIALS, type At, type Mounted, type MountSystem, type SystemContext } from './types.js'

function spec (at: At): string {
  return at === 'latest' ? '@latest' : '@' + formatInstant(at)
}

/**
 * Finds out whether this checkout's CLI has a working `mount`: the
 * benchmark runs on branches where the FUSE mount may not exist yet.
 */
async function probe (): Promise<string | undefined> {
  if (!existsSync(BIN)) return `${BIN} is missing`
  const help = await run(process.execPath, [BIN, '--help'], { timeoutMs: 30_000 })
  if (!/^\s*mount\b/m.test(help.stdout + help.stderr)) return 'this build of `infinstor` has no `mount` command yet (issue #3)'
  return undefined
}

/** InfinStor's FUSE mount: every time of every bucket by path, in one mount. */
export async function infinstor (ctx: SystemContext): Promise<MountSystem> {
  const info: SystemInfo = { id: 'infinstor', name: 'InfinStor mount', role: 'system under test' }
  const missing = await probe()
  if (missing !== undefined) return { info: { ...info, skipped: missing }, travel: 'any', mount: unavailable }
  const version = await run('git', ['-C', ROOT, 'describe', '--always', '--dirty'], { timeoutMs: 10_000 })
  info.version = `0.1.0 (${version.stdout.trim() || 'unknown commit'})`
  return {
    info,
    travel: 'any',
    mount: async (ds: Dataset, _at: At[]): Promise<Mounted> => {
      // --cache-size counts MiB.
      const m = await daemonMount(ctx, 'infinstor', dir => ({
        cmd: process.execPath,
        args: [BIN, 'mount', dir, '--bucket', ds.bucket, '--endpoint', ctx.endpoint, '--cache-size', String(ctx.cacheBytes / (1 << 20)), '--foreground'],
        env: { ...process.env, ...CREDENTIALS }
      }))
      return { path: (at, key) => `${m.dir}/${ds.bucket}/${spec(at)}/${key}`, pids: [m.daemon.pid], unmount: m.unmount }
    }
  }
}
