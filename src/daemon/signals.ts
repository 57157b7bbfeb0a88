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

/**
 * For a process that serves until told to stop (`serve`, `ui`, `index
 * --watch`): resolves with the first stop signal, and says so on stderr.
 * Later signals are ignored while the caller cleans up, so a hangup's usual
 * follow-up SIGTERM does not cut the cleanup short.
 */
export async function stopRequested (): Promise<NodeJS.Signals> {
  return await new Promise(resolve => {
    let first: NodeJS.Signals | undefined
    const on = (signal: NodeJS.Signals): void => {
      if (first !== undefined) return
      first = signal
      if (signal === 'SIGHUP') dropTerminalOutput()
      process.stderr.write(`infinstor: stopping (${signal})\n`)
      resolve(signal)
    }
    for (const signal of STOP_SIGNALS) process.on(signal, on)
  })
}

/** The exit status once cleaned up after `signal`: a hangup ends the process by the hangup itself (see endBy). */
export async function stoppedBy (signal: NodeJS.Signals | undefined): Promise<number> {
  if (signal === 'SIGHUP') await endBy(signal)
  return 0
}
