import { randomUUID } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { Request } from '../../server/http.js'
import { query } from './params.js'

/** A computed list and the facts that go with it, kept while a client pages through it. */
export interface Computed<T, M> { meta: M, items: T[] }

const PAGING_PARAMS = new Set(['offset', 'limit', 'snapshot'])

/**
 * Paging needs a fixed list: `latest` can change between two pages, and
 * recomputing a 20,000-entry folder (a full S3 listing for `latest`) per
 * page would be slow as well as inconsistent. A reply without `snapshot`
 * computes afresh and names its result; later pages pass that name back and
 * are cut from the same list. A snapshot answers only the exact query it was
 * computed for, and an expired one is simply computed again.
 */
export class Snapshots {
  private readonly cache = new LRUCache<string, Computed<unknown, unknown>>({
    maxSize: 1_000_000,
    sizeCalculation: c => Math.max(1, c.items.length),
    ttl: 10 * 60_000
  })

  async get<T, M> (req: Request, compute: () => Promise<Computed<T, M>>): Promise<Computed<T, M> & { snapshot: string }> {
    const params = [...req.url.searchParams].filter(([k]) => !PAGING_PARAMS.has(k)).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    const signature = `${req.url.pathname}?${new URLSearchParams(params).toString()}`
    const given = query(req, 'snapshot')
    if (given !== undefined) {
      const hit = this.cache.get(`${given}\0${signature}`) as Computed<T, M> | undefined
      if (hit !== undefined) return { ...hit, snapshot: given }
    }
    const computed = await compute()
    const snapshot = randomUUID()
    this.cache.set(`${snapshot}\0${signature}`, computed)
    return { ...computed, snapshot }
  }
}
