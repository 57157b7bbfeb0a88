import { formatInstant } from '../../../src/core/timespec.js'
import type { Dataset } from '../datasets.js'
import { run } from '../proc.js'
import type { SystemInfo } from '../types.js'
import { daemonMount, unavailable } from './mountpoint.js'
import { CREDENTIALS, type At, type Mounted, type MountSystem, type SystemContext } from './types.js'

/** The environment that configures rclone's `bench:` remote on the bench's moto. */
export function rcloneEnv (ctx: SystemContext): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    RCLONE_CONFIG_BENCH_TYPE: 's3',
    RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
    RCLONE_CONFIG_BENCH_ENDPOINT: ctx.endpoint,
    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: CREDENTIALS.AWS_ACCESS_KEY_ID,
    RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: CREDENTIALS.AWS_SECRET_ACCESS_KEY,
    RCLONE_CONFIG_BENCH_REGION: CREDENTIALS.AWS_REGION
  }
  // Debian's rclone fails on this machine's CA bundle; moto is plain HTTP.
  delete e.AWS_CA_BUNDLE
  return e
}

/**
 * rclone mount with --s3-version-at: the peer #3's goals are set against.
 * One mount shows one fixed time, so every time costs a mount. Run with
 * its defaults (no VFS cache), as a user would start it.
 */
export async function rclone (ctx: SystemContext): Promise<MountSystem> {
  const info: SystemInfo = { id: 'rclone', name: 'rclone mount --s3-version-at', role: 'time-travel peer (#3 goals)' }
  const v = await run('rclone', ['version'], { timeoutMs: 20_000 }).catch(() => undefined)
  if (v === undefined || v.code !== 0) return { info: { ...info, skipped: 'rclone is not installed' }, travel: 'one-per-mount', mount: unavailable }
  info.version = v.stdout.split('\n')[0].trim()
  return {
    info,
    travel: 'one-per-mount',
    mount: async (ds: Dataset, at: At[]): Promise<Mounted> => {
      if (at.length !== 1) throw new Error('an rclone mount shows one time')
      const when = at[0]
      const m = await daemonMount(ctx, 'rclone', dir => ({
        cmd: 'rclone',
        args: ['--config', '/dev/null', 'mount', `bench:${ds.bucket}`, dir, '--read-only',
          ...(when === 'latest' ? [] : ['--s3-version-at', formatInstant(when)])],
        env: rcloneEnv(ctx)
      }))
      return {
        path: (t, key) => {
          if (t !== when) throw new Error('this rclone mount shows another time')
          return `${m.dir}/${key}`
        },
        pids: [m.daemon.pid],
        unmount: m.unmount
      }
    }
  }
}
