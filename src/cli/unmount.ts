import { InfinError } from '../core/errors.js'
import {
  canonicalMountpoint, FS_TYPE, isAlive, lazyUnmount, mountedType, readStatus, removeStatus, servedBy, waitFor
} from '../fs/mounts.js'
import type { Command } from './commands.js'
import { needArgs } from './context.js'

const STOP_TIMEOUT_MS = 15_000

export const unmount: Command = {
  summary: 'unmount a tree mounted with infinstor mount (also clears a stale one)',
  usage: 'MOUNTPOINT',
  options: {},
  async run (ctx) {
    needArgs(ctx, 1, 'one MOUNTPOINT')
    const mountpoint = await canonicalMountpoint(ctx.args[0])
    const s = await readStatus(mountpoint)
    let stopped = false
    if (s !== undefined && await servedBy(s)) {
      // The daemon unmounts on SIGTERM and then exits.
      process.kill(s.pid, 'SIGTERM')
      if (!await waitFor(() => !isAlive(s.pid), STOP_TIMEOUT_MS)) {
        throw new InfinError('Unavailable', `pid ${s.pid} serving ${mountpoint} did not stop within ${STOP_TIMEOUT_MS / 1000} s`)
      }
      stopped = true
    }
    const type = await mountedType(mountpoint)
    if (type !== undefined && type !== FS_TYPE) {
      throw new InfinError('Usage', `${mountpoint} is a ${type} mount, not an infinstor one`)
    }
    if (type === FS_TYPE) await lazyUnmount(mountpoint)
    else if (!stopped) throw new InfinError('NotFound', `nothing is mounted at ${mountpoint}`)
    if (s !== undefined) await removeStatus(mountpoint, s.pid)
    process.stdout.write(`unmounted ${mountpoint}\n`)
    return 0
  }
}
