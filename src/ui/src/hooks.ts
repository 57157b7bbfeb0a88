import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError } from './api'
import { isDown, watchServer } from './connection'

export interface Async<T> {
  value?: T
  error?: ApiError
  loading: boolean
  /** Seconds since the current load began (for progress on slow listings). */
  elapsed: number
  reload: () => void
}

export function asApiError (e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'Internal', (e as Error)?.message ?? String(e))
}

/** Waits before loading again after S3 was unavailable: 5 s, doubling up to a minute. */
function retryDelay (failures: number): number {
  return Math.min(60_000, 5000 * 2 ** Math.max(0, failures - 1))
}

/**
 * Whether an error may go away by itself: the server not answering (it is
 * being restarted), or S3 failing behind it. Bad input, a missing key or a
 * refused token will not, and are left for the user.
 */
export function transient (e: ApiError): boolean {
  return e.reason === 'Network' || e.reason === 'Unavailable' || e.status === 502 || e.status === 503 || e.status === 504
}

/**
 * Runs `load` whenever `deps` change; stale answers from older runs are
 * dropped. A transient failure heals by itself: the load runs again once
 * the server answers again, or after a delay when S3 was failing.
 */
export function useAsync<T> (load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ value?: T, error?: ApiError, loading: boolean }>({ loading: true })
  const [elapsed, setElapsed] = useState(0)
  const [nonce, setNonce] = useState(0)
  const run = useRef(0)
  const failures = useRef(0)
  const reload = (): void => setNonce(n => n + 1)
  useEffect(() => {
    const mine = ++run.current
    setState(s => ({ value: s.value, loading: true }))
    setElapsed(0)
    const started = Date.now()
    const timer = setInterval(() => setElapsed(Math.floor((Date.now() - started) / 1000)), 500)
    load().then(
      value => {
        if (mine !== run.current) return
        failures.current = 0
        setState({ value, loading: false })
      },
      e => {
        if (mine !== run.current) return
        failures.current++
        setState({ error: asApiError(e), loading: false })
      }
    ).finally(() => clearInterval(timer))
    return () => clearInterval(timer)
  }, [...deps, nonce])
  const error = state.error
  useEffect(() => {
    if (error === undefined || !transient(error)) return
    if (error.reason === 'Network') {
      // Another call may have found the server back already.
      if (!isDown()) {
        const soon = setTimeout(reload, 1000)
        return () => clearTimeout(soon)
      }
      return watchServer(down => { if (!down) reload() })
    }
    const later = setTimeout(reload, retryDelay(failures.current))
    return () => clearTimeout(later)
  }, [error])
  return { ...state, elapsed, reload }
}
