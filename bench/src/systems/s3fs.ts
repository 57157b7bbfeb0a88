import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Dataset } from '../datasets.js'
import { run } from '../proc.js'
import type { SystemInfo } from '../types.js'
import { daemonMount, unavailable } from './mountpoint.js'
import { CREDENTIALS, type At, type Mounted, type MountSystem, type SystemContext } from './types.js'

/** s3fs-fuse: plain S3 as a filesystem, the latest state only. */
export async function s3fs (ctx: SystemContext): Promise<MountSystem> {
  const info: SystemInfo = { id: 's3fs', name: 's3fs-fuse', role: 'plain S3 FUSE baseline (latest only)' }
  const v = await run('s3fs', ['--version'], { timeoutMs: 20_000 }).catch(() => undefined)
  if (v === undefined || v.code !== 0) return { info: { ...info, skipped: 's3fs is not installed' }, travel: 'latest-only', mount: unavailable }
  info.version = /V[\d.]+/.exec(v.stdout)?.[0] ?? v.stdout.split('\n')[0]
  const passwd = join(ctx.workDir, 's3fs.passwd')
  writeFileSync(passwd, `${CREDENTIALS.AWS_ACCESS_KEY_ID}:${CREDENTIALS.AWS_SECRET_ACCESS_KEY}\n`, { mode: 0o600 })
  return {
    info,
    travel: 'latest-only',
    mount: async (ds: Dataset, at: At[]): Promise<Mounted> => {
      if (at.some(t => t !== 'latest')) throw new Error('s3fs shows the latest state only')
      const m = await daemonMount(ctx, 's3fs', dir => ({
        cmd: 's3fs',
        args: [ds.bucket, dir, '-f', '-o', [
          `url=${ctx.endpoint}`, 'use_path_request_style', `passwd_file=${passwd}`, 'ro', `endpoint=${CREDENTIALS.AWS_REGION}`
        ].join(',')],
        env: process.env
      }))
      return { path: (_t, key) => `${m.dir}/${key}`, pids: [m.daemon.pid], unmount: m.unmount }
    }
  }
}
