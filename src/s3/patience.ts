/** What tells a slow server from a silent one: when it last answered anything. */
export interface Heard { lastHeard: number }

/**
 * Sends a request that has no idle timeout of its own, attempt by attempt.
 * An attempt is given up only once the server has answered nothing (not
 * this request, not any other) for `quietMs`, counted from the attempt's
 * start. A loaded server that answers others in turn, as moto works through
 * a burst of listings one at a time, makes a request slow, never failed;
 * and its work is not abandoned and queued again behind itself, which is
 * what made fixed timeouts and retries fail every listing of a burst. A
 * server gone silent fails each attempt after `quietMs`, so the call still
 * ends within `attempts` × `quietMs` plus short backoffs, as the socket
 * timeout bounded it before. Errors other than silence pass through (the
 * SDK has retried them already).
 */
export async function whileHeard<T> (server: Heard, quietMs: number, attempts: number,
  send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const controller = new AbortController()
    const started = Date.now()
    let timer: NodeJS.Timeout | undefined
    const check = (): void => {
      const quiet = Date.now() - Math.max(started, server.lastHeard)
      if (quiet >= quietMs) controller.abort(silence(quietMs))
      else timer = setTimeout(check, quietMs - quiet)
    }
    timer = setTimeout(check, quietMs)
    try {
      return await send(controller.signal)
    } catch (e) {
      if (!controller.signal.aborted) throw e
      if (attempt >= attempts) throw controller.signal.reason
    } finally {
      clearTimeout(timer)
    }
    await new Promise(resolve => setTimeout(resolve, 100 * 2 ** (attempt - 1)))
  }
}

/** Named as the SDK names its own timeouts, so the error maps to the same domain error. */
function silence (ms: number): Error {
  return Object.assign(new Error(`the server answered nothing for ${ms} ms`), { name: 'TimeoutError' })
}
