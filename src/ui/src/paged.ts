import type { ApiError, Paged } from './api'
import { isDown, watchServer } from './connection'
import { asApiError, transient } from './hooks'

/** How long a page that failed because S3 did waits before it is asked for again. */
const RETRY_MS = 5000

/**
 * Rows of a paged endpoint, fetched a page at a time as a list scrolls to
 * them. The list never holds more pages than it has shown.
 */
export class PagedSource<T> {
  total = 0
  error?: ApiError
  private readonly pages = new Map<number, T[]>()
  private readonly pending = new Set<number>()
  private readonly listeners = new Set<() => void>()
  private snapshot?: string
  /** The rows last asked for, fetched again when a transient failure heals. */
  private wanted: [number, number] = [0, 0]
  private retrying = false

  constructor (readonly fetchPage: (offset: number, limit: number, snapshot?: string) => Promise<Paged<T>>, readonly pageSize = 500) {}

  /** Loads the first page; its reply (with the endpoint's other fields) is returned. */
  async first (): Promise<Paged<T>> {
    const page = await this.fetchPage(0, this.pageSize)
    this.snapshot = page.snapshot
    this.total = page.total
    this.pages.set(0, page.items)
    return page
  }

  get (i: number): T | undefined {
    return this.pages.get(Math.floor(i / this.pageSize))?.[i % this.pageSize]
  }

  /** Fetches the pages holding rows [from, to) that are not here yet. */
  ensure (from: number, to: number): void {
    this.wanted = [from, to]
    for (let p = Math.floor(from / this.pageSize); p * this.pageSize < Math.min(to, this.total); p++) {
      if (this.pages.has(p) || this.pending.has(p)) continue
      this.pending.add(p)
      this.fetchPage(p * this.pageSize, this.pageSize, this.snapshot).then(page => {
        this.pages.set(p, page.items)
        this.total = page.total
      }, e => {
        this.error = asApiError(e)
        if (transient(this.error)) this.retryLater()
      }).finally(() => {
        this.pending.delete(p)
        for (const l of this.listeners) l()
      })
    }
  }

  /** Asks again for the rows in sight once the server answers (or S3 had time to recover). */
  private retryLater (): void {
    if (this.retrying) return
    this.retrying = true
    const again = (): void => {
      this.retrying = false
      this.error = undefined
      this.ensure(...this.wanted)
      for (const l of this.listeners) l()
    }
    if (this.error?.reason !== 'Network' || !isDown()) {
      setTimeout(again, this.error?.reason === 'Network' ? 1000 : RETRY_MS)
      return
    }
    const stop = watchServer(down => { if (!down) { stop(); again() } })
  }

  /** A row already fetched that matches, if any. */
  find (match: (item: T) => boolean): T | undefined {
    for (const page of this.pages.values()) {
      const hit = page.find(match)
      if (hit !== undefined) return hit
    }
    return undefined
  }

  get loading (): boolean { return this.pending.size > 0 }

  subscribe (fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
}
