import { formatInstant } from '../../../src/core/timespec.js'
import type { Dataset } from '../datasets.js'
import { BIN, ROOT } from '../paths.js'
import { run } from '../proc.js'
import type { SystemInfo } from '../types.js'
import { daemonMount } from './mountpoint.js'
import { CREDENTIALS, type At, type Mounted, type MountSystem, type SystemContext } from './types.js'

function spec (at: At): string {
  return at === 'latest' ? '@latest' : '@' + formatInstant(at)
}

/** InfinStor's FUSE mount: every time of every bucket by path, in one mount. */
export async function infinstor (ctx: SystemContext): Promise<MountSystem> {
  const info: SystemInfo = { id: 'infinstor', name: 'InfinStor mount', role: 'system under test' }
  const version = await run('git', ['-C', ROOT, 'describe', '--always', '--dirty'], { timeoutMs: 10_000 })
  info.version = `0.1.0 (${version.stdout.trim() || 'unknown commit'})`
  return {
    info,
    travel: 'any',
    mount: async (ds: Dataset, _at: At[]): Promise<Mounted> => {
      // --cache-size counts MiB.
      const m = await daemonMount(ctx, 'infinstor', dir => ({
        cmd: process.execPath,
        args: [BIN, 'mount', dir, '--bucket', ds.bucket, '--endpoint', ctx.endpoint, '--cache-size', String(ctx.cacheBytes / (1 << 20)), '--no-serve', '--foreground'],
        env: { ...process.env, ...CREDENTIALS }
      }))
      return { path: (at, key) => `${m.dir}/${ds.bucket}/${spec(at)}/${key}`, pids: [m.daemon.pid], unmount: m.unmount }
    }
  }
}
