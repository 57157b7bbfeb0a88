import { useEffect, useState } from 'preact/hooks'

/**
 * Whether the InfinStor server answers. When a call cannot reach it, the
 * whole page knows (one banner, not an error per panel), the server is
 * asked again every few seconds, and when it answers every panel that
 * failed loads again by itself.
 */
type Listener = (down: boolean) => void

const POLL_MS = 3000
const listeners = new Set<Listener>()
let down = false
let timer: ReturnType<typeof setTimeout> | undefined

function set (value: boolean): void {
  if (value === down) return
  down = value
  for (const l of listeners) l(down)
}

/** Asks the server whether it is back; the cheapest authenticated call there is. */
export async function probe (): Promise<void> {
  clearTimeout(timer)
  try {
    const res = await fetch('/api/infinstor/info', { credentials: 'same-origin' })
    await res.arrayBuffer()
    set(false)
  } catch {
    timer = setTimeout(() => { void probe() }, POLL_MS)
  }
}

/** A call could not reach the server: say so, and keep asking until it answers. */
export function unreachable (): void {
  if (down) return
  set(true)
  timer = setTimeout(() => { void probe() }, POLL_MS)
}

/** A call got an answer: the server is up. */
export function reached (): void {
  clearTimeout(timer)
  set(false)
}

export function isDown (): boolean { return down }

/** Calls `fn` with each change; returns how to stop. */
export function watchServer (fn: Listener): () => void {
  listeners.add(fn)
  return () => { listeners.delete(fn) }
}

export function useServerDown (): boolean {
  const [value, setValue] = useState(down)
  useEffect(() => watchServer(setValue), [])
  return value
}
