import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lazyUnmount, mountedType } from '../fs/mounts.js'

export interface DemoMount {
  dir: string
  /** Unmounts (the child unmounts on SIGTERM, then exits) and removes the mount folder; safe to call twice. */
  stop: () => Promise<void>
  /** The HTTP server the mount runs beside it (dashboard, contents API), or why the mount did not start. */
  ready: Promise<{ http?: string } | { failed: string }>
}

/**
 * Mounts one bucket under a fresh temporary directory, served by a child
 * `infinstor mount --foreground` (this process then only reads the mount
 * through other children). `stop` is usable at once, so a Ctrl-C while the
 * mount starts still cleans up. Returns why not, instead, when FUSE is missing.
 */
export async function mountForDemo (bin: string, bucket: string, env: NodeJS.ProcessEnv): Promise<DemoMount | string> {
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse on this machine, so the mount part is skipped'
  const dir = await mkdtemp(join(tmpdir(), 'infinstor-demo-'))
  const child = spawn(process.execPath, [bin, 'mount', dir, '--foreground', '--bucket', bucket], {
    env, stdio: ['ignore', 'ignore', 'pipe']
  })
  const exited = once(child, 'exit')
  let log = ''
  child.stderr.setEncoding('utf8').on('data', (s: string) => { log += s })
  let stopping: Promise<void> | undefined
  const stop = async (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        await exited
      }
      // A mount process that ended without unmounting (killed, or its unmount failed) would leave the
      // folder dead for everyone (ENOTCONN): detach it, and show the mount's log, which says why.
      if (await mountedType(dir).catch(() => undefined) !== undefined) {
        process.stderr.write(`The demo's mount at ${dir} outlived its process; detaching it. Its log:\n${log}`)
        await lazyUnmount(dir).catch(e => { process.stderr.write(`${(e as Error).message}\n`) })
      }
      await rm(dir, { recursive: true, force: true }).catch(() => {})
    })()
    await stopping
  }
  const ready = (async () => {
    for (const deadline = Date.now() + 30_000; !log.includes('serving '); await new Promise(resolve => setTimeout(resolve, 50))) {
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
        await stop()
        return { failed: `the mount did not start: ${log.trim().split('\n').at(-1) ?? ''}` }
      }
    }
    return { http: /HTTP API \(.*?\) at (\S+);/.exec(log)?.[1] }
  })()
  return { dir, stop, ready }
}
