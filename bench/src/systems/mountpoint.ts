import { mkdtempSync, rmdirSync } from 'node:fs'
import { join } from 'node:path'
import { Daemon, unmount, waitMounted } from '../proc.js'
import type { SystemContext } from './types.js'

export interface DaemonMount {
  dir: string
  daemon: Daemon
  unmount: () => Promise<void>
}

/**
 * Starts a mount daemon in the foreground on a fresh mount point under
 * /tmp and waits until the kernel lists the mount. Tearing down unmounts
 * first, then stops the daemon, then removes the (empty) mount point.
 */
export async function daemonMount (ctx: SystemContext, name: string, command: (dir: string) => { cmd: string, args: string[], env: NodeJS.ProcessEnv }): Promise<DaemonMount> {
  const dir = mkdtempSync(`/tmp/infinstor-bench-${name}-`)
  ctx.cleanup.addMount(dir)
  const { cmd, args, env } = command(dir)
  let daemon: Daemon | undefined
  const teardown = async (): Promise<void> => {
    await unmount(dir)
    await daemon?.stop()
    try { rmdirSync(dir) } catch {}
    ctx.cleanup.dropMount(dir)
  }
  try {
    daemon = new Daemon(ctx.cleanup, cmd, args, env, join(ctx.workDir, `${name}.log`), dir)
    await waitMounted(dir, daemon)
  } catch (e) {
    await teardown()
    throw e
  }
  return { dir, daemon, unmount: teardown }
}

/** The mount of a system that was skipped; never called by the scenarios. */
export async function unavailable (): Promise<never> {
  throw new Error('this system is not available')
}
