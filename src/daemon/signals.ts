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
function dropTerminalOutput (): void {
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

/** Whether a hangup came, first or not. */
let hungUp = false

/**
 * Signals sent together (a hangup and the SIGTERM that often follows it)
 * reach Node's threads in either order: within this long they are one
 * request to stop, named by the hangup if it is among them.
 */
const TOGETHER_MS = 100

/**
 * Every stop signal a process hears goes through here: after a hangup,
 * whenever it comes, the terminal is gone (see dropTerminalOutput, stoppedBy).
 */
export function noteStopSignal (signal: NodeJS.Signals): void {
  if (signal !== 'SIGHUP' || hungUp) return
  hungUp = true
  dropTerminalOutput()
}

/**
 * For a process that serves until told to stop (`serve`, `ui`, `index
 * --watch`): resolves with the stop signal, and says so on stderr. Later
 * signals are ignored while the caller cleans up, so a hangup's usual
 * follow-up SIGTERM does not cut the cleanup short.
 */
export async function stopRequested (): Promise<NodeJS.Signals> {
  return await new Promise(resolve => {
    let first: NodeJS.Signals | undefined
    const on = (signal: NodeJS.Signals): void => {
      noteStopSignal(signal)
      if (first !== undefined) return
      first = signal
      setTimeout(() => {
        const by = hungUp ? 'SIGHUP' : signal
        process.stderr.write(`infinstor: stopping (${by})\n`)
        resolve(by)
      }, TOGETHER_MS)
    }
    for (const signal of STOP_SIGNALS) process.on(signal, on)
  })
}

/**
 * The exit status once cleaned up after `why` (a signal, or another reason
 * to stop): a process hung up on, by the first signal or a later one, ends
 * by the hangup itself (see endBy).
 */
export async function stoppedBy (why: string | undefined): Promise<number> {
  if (why === 'SIGHUP' || hungUp) await endBy('SIGHUP')
  return 0
}
