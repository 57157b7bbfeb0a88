import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError } from './api'

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

/** Runs `load` whenever `deps` change; stale answers from older runs are dropped. */
export function useAsync<T> (load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ value?: T, error?: ApiError, loading: boolean }>({ loading: true })
  const [elapsed, setElapsed] = useState(0)
  const [nonce, setNonce] = useState(0)
  const run = useRef(0)
  useEffect(() => {
    const mine = ++run.current
    setState(s => ({ value: s.value, loading: true }))
    setElapsed(0)
    const started = Date.now()
    const timer = setInterval(() => setElapsed(Math.floor((Date.now() - started) / 1000)), 500)
    load().then(
      value => { if (mine === run.current) setState({ value, loading: false }) },
      e => { if (mine === run.current) setState({ error: asApiError(e), loading: false }) }
    ).finally(() => clearInterval(timer))
    return () => clearInterval(timer)
  }, [...deps, nonce])
  return { ...state, elapsed, reload: () => setNonce(n => n + 1) }
}
