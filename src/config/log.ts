/**
 * The mount's log: one line per event, to a stream (a foreground mount's
 * stderr, or the daemon's log file). Repeated warnings about the same thing
 * (a shadowed key, a bad spec typed in a loop) are written once per window.
 */
export interface Log {
  info: (message: string) => void
  /** Logs `message` unless the same `key` was logged within the last `windowMs`. */
  warnOnce: (key: string, message: string) => void
}

const ONCE_WINDOW_MS = 60_000
const ONCE_MAX_KEYS = 10_000

export function streamLog (write: (line: string) => void, now: () => number = Date.now): Log {
  const seen = new Map<string, number>()
  const info = (message: string): void => { write(`${new Date(now()).toISOString()} ${message}\n`) }
  return {
    info,
    warnOnce (key, message) {
      const last = seen.get(key)
      if (last !== undefined && now() - last < ONCE_WINDOW_MS) return
      if (seen.size >= ONCE_MAX_KEYS) seen.clear()
      seen.set(key, now())
      info(message)
    }
  }
}
