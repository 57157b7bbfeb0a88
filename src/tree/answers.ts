import { LRUCache } from 'lru-cache'

/** What a cached answer needs: when it was made, and whether it may still change. */
export interface Answer {
  at: number
  live: boolean
}

/**
 * Answers by key in an LRU, with at most one load under way per key: a
 * settled answer is good forever, a live one for the live period. The
 * directory cache keeps its listings and its lookup scans this way.
 */
export class Answers<V extends Answer> {
  private readonly kept: LRUCache<string, V>
  private readonly loading = new Map<string, Promise<V>>()

  constructor (maxSize: number, size: (v: V) => number, private readonly liveTtlMs: number) {
    this.kept = new LRUCache({ maxSize, sizeCalculation: size })
  }

  /** The answer for `key`, if one is kept and still good (it counts as used). */
  fresh (key: string): V | undefined {
    const hit = this.kept.get(key)
    return hit !== undefined && (!hit.live || Date.now() - hit.at < this.liveTtlMs) ? hit : undefined
  }

  /** The kept answer for `key`, good or not, without counting it as used. */
  peek (key: string): V | undefined {
    return this.kept.peek(key)
  }

  /** Whether an answer for `key` is being loaded. */
  loads (key: string): boolean {
    return this.loading.has(key)
  }

  delete (key: string): void {
    this.kept.delete(key)
  }

  /** A good kept answer, else the load under way, else a new load (kept once it succeeds). */
  async get (key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.fresh(key)
    if (hit !== undefined) return hit
    let running = this.loading.get(key)
    if (running === undefined) {
      running = load()
        .then(v => {
          this.kept.set(key, v)
          return v
        })
        .finally(() => this.loading.delete(key))
      this.loading.set(key, running)
    }
    return await running
  }
}
