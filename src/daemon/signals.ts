/**
 * The signals that ask a process holding state (a mount, the demo) to clean
 * up and stop: Ctrl-C, a kill, and the terminal closing. Left to their
 * default, each would end the process at once and leave a dead mount.
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/**
 * After SIGHUP the terminal is gone: writing to it fails (EIO), and in
 * Node 20 touching it can crash the process (SIGSEGV, seen here) before it
 * has cleaned up. With nobody left to read it, output to the terminal is
 * dropped; output to a file or a pipe (a log) goes on.
 */
export function dropTerminalOutput (): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (!stream.isTTY) continue
    stream.on('error', () => {})
    stream.write = ((_chunk: unknown, encoding?: unknown, done?: unknown): boolean => {
      const callback = typeof encoding === 'function' ? encoding : done
      if (typeof callback === 'function') queueMicrotask(callback as () => void)
      return true
    }) as typeof stream.write
  }
}

/**
 * Ends the process by `signal`'s default action, once it has cleaned up:
 * what a program that handles a hangup does. After a hangup this is also
 * the only clean way out: a normal exit makes Node 20 restore the lost
 * terminal's modes, which fails (EIO) and aborts the process.
 */
export async function endBy (signal: NodeJS.Signals): Promise<never> {
  process.removeAllListeners(signal)
  process.kill(process.pid, signal)
  return await new Promise<never>(() => {})
}
