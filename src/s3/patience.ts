/** What tells a slow server from a silent one, shared by the requests sent to it. */
export interface Heard {
  /** Its `lastHeard`: local time the server last answered any request. */
  clock: { lastHeard: number }
  /** Requests of this kind waiting for the server now (kept by whileHeard). */
  inflight: number
}

/**
 * Sends a request that has no idle timeout of its own, attempt by attempt.
 * An attempt is given up only once the server has answered nothing (not
 * this request, not any other) for `quietMs` per request waiting on it,
 * counted from the attempt's start; halfway, `probe` sends a cheap request
 * (one at a time, never throwing) to ask whether it answers at all.
 *
 * A server that works on requests side by side (moto, where Python's one
 * lock is shared by its threads) gives each of N requests 1/N of itself and
 * answers a burst of them all late, together, its cheap answers too: its
 * silence lasts N times one request's time. So a loaded server is slow, not
 * failed, and no request's work is abandoned and queued again behind itself,
 * which is what made fixed timeouts and retries fail every listing of a
 * burst (find's EIO on the bench tree). A server gone silent answers nothing:
 * a request alone fails each attempt after `quietMs`, as the socket timeout
 * did; N waiting together after N × `quietMs` (the mount's operation deadline
 * answers first when that is longer). Errors other than silence pass through
 * (the SDK has retried them).
 */
export async function whileHeard<T> (server: Heard, probe: () => void, quietMs: number, attempts: number,
  send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const controller = new AbortController()
    const started = Date.now()
    let timer: NodeJS.Timeout | undefined
    const check = (): void => {
      const allowed = quietMs * Math.max(1, server.inflight)
      const quiet = Date.now() - Math.max(started, server.clock.lastHeard)
      if (quiet >= allowed) {
        controller.abort(silence(quiet))
        return
      }
      if (quiet >= quietMs / 2) probe()
      timer = setTimeout(check, Math.min(quietMs / 2, allowed - quiet))
    }
    timer = setTimeout(check, quietMs / 2)
    server.inflight++
    try {
      return await send(controller.signal)
    } catch (e) {
      if (!controller.signal.aborted) throw e
      if (attempt >= attempts) throw controller.signal.reason
    } finally {
      server.inflight--
      clearTimeout(timer)
    }
    await new Promise(resolve => setTimeout(resolve, 100 * 2 ** (attempt - 1)))
  }
}

/** Named as the SDK names its own timeouts, so the error maps to the same domain error. */
function silence (ms: number): Error {
  return Object.assign(new Error(`the server answered nothing for ${Math.round(ms)} ms`), { name: 'TimeoutError' })
}
