import type { ApiError, Paged } from './api'
import { asApiError } from './hooks'

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
    for (let p = Math.floor(from / this.pageSize); p * this.pageSize < Math.min(to, this.total); p++) {
      if (this.pages.has(p) || this.pending.has(p)) continue
      this.pending.add(p)
      this.fetchPage(p * this.pageSize, this.pageSize, this.snapshot).then(page => {
        this.pages.set(p, page.items)
        this.total = page.total
      }, e => { this.error = asApiError(e) }).finally(() => {
        this.pending.delete(p)
        for (const l of this.listeners) l()
      })
    }
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
