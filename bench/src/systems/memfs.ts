import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatInstant } from '../../../src/core/timespec.js'
import { snapshot, type Dataset } from '../datasets.js'
import { daemonMount } from './mountpoint.js'
import type { At, Mounted, MountSystem, SystemContext } from './types.js'

const DAEMON = fileURLToPath(new URL('../memfs-daemon.js', import.meta.url))

function timeDir (at: At): string {
  return at === 'latest' ? '@latest' : '@' + formatInstant(at)
}

/** The step a time falls in: the last step whose time is not after it. */
function stepAt (ds: Dataset, at: At): number {
  if (at === 'latest') return ds.times.length - 1
  let step = -1
  ds.times.forEach((t, i) => { if (t <= at) step = i })
  return step
}

/**
 * The FUSE ceiling: the same trees InfinStor would show, served from
 * memory by a fuse-native process with no S3 behind it.
 */
export function memfs (ctx: SystemContext): MountSystem {
  return {
    info: { id: 'memfs', name: 'fuse-native in-memory', role: 'FUSE ceiling on this machine', version: 'fuse-native 2.2.6, kernel cache on' },
    travel: 'any',
    mount: async (ds: Dataset, at: At[]): Promise<Mounted> => {
      const files = at.flatMap(t => [...snapshot(ds, stepAt(ds, t)).values()].map(e => ({
        path: `${timeDir(t)}/${e.key}`, size: e.size, mtime: ds.times[e.step]
      })))
      const manifest = join(ctx.workDir, 'memfs-manifest.json')
      writeFileSync(manifest, JSON.stringify({ files }))
      const m = await daemonMount(ctx, 'memfs', dir => ({ cmd: process.execPath, args: [DAEMON, manifest, dir], env: process.env }))
      return { path: (t, key) => `${m.dir}/${timeDir(t)}/${key}`, pids: [m.daemon.pid], unmount: m.unmount }
    }
  }
}
