import { LRUCache } from 'lru-cache'
import { formatSpec } from '../core/timespec.js'
import type { Version } from '../core/versions.js'
import type { Engine, View } from '../engine/engine.js'
import { Labels } from '../labels/service.js'
import type { ListingScope } from './request.js'

/** One entry of a listing reply, named as the client sees it: a key, or a common prefix. */
export interface Item {
  name: string
  /** UTF-8 bytes of the name: S3 orders listings by them. */
  bytes: Buffer
  /** Set for keys; common prefixes have none. */
  version?: Version
}

export interface Page {
  items: Item[]
  truncated: boolean
}

/** How long a computed listing serves the later pages of the same listing. */
const PAGING_TTL_MS = 60_000

function item (name: string, version?: Version): Item {
  return { name, bytes: Buffer.from(name, 'utf8'), version }
}

/**
 * Listings of a view, in S3's shape: the real keys (not the mount's file
 * names), grouped by any delimiter, sorted by their UTF-8 bytes, paged by
 * marker. The first page is always computed afresh (the engine's caches
 * make a settled view cheap); later pages reuse it, so one pagination sees
 * one consistent listing.
 */
export class Listings {
  private readonly engine: Engine
  private readonly computed = new LRUCache<string, Item[]>({
    maxSize: 500_000,
    sizeCalculation: items => items.length + 1,
    ttl: PAGING_TTL_MS,
    updateAgeOnGet: true
  })

  constructor (engine: Engine) {
    this.engine = engine
  }

  async page (view: View, scope: ListingScope, delimiter: string | undefined, after: string | undefined, maxKeys: number): Promise<Page> {
    const id = [view.bucket, formatSpec(view.spec), view.root, scope.base, scope.prefix, delimiter ?? ''].join('\0')
    let items = after === undefined ? undefined : this.computed.get(id)
    if (items === undefined) {
      items = await this.collect(view, scope, delimiter)
      this.computed.set(id, items)
    }
    let from = 0
    if (after !== undefined) {
      from = firstAfter(items, Buffer.from(after, 'utf8'))
      const holder = items[from - 1]
      // A marker equal to a common prefix continues after it (that prefix was the last of a page).
      // A marker inside one (a start-after into a folder) lists it again if a key in it comes later.
      if (holder !== undefined && holder.version === undefined && after.startsWith(holder.name) && after !== holder.name &&
          await this.keyAfter(view, scope, holder.name, after)) from--
    }
    const chosen = items.slice(from, from + maxKeys)
    return { items: chosen, truncated: from + chosen.length < items.length && maxKeys > 0 }
  }

  private inner (view: View, scope: ListingScope, name: string): string {
    return view.root + name.slice(scope.base.length)
  }

  private outer (view: View, scope: ListingScope, key: string): string {
    return scope.base + key.slice(view.root.length)
  }

  private async collect (view: View, scope: ListingScope, delimiter: string | undefined): Promise<Item[]> {
    const inner = view.root + scope.prefix
    const out: Item[] = []
    if (delimiter === '/') {
      // Directory listings know which subdirectories exist at T without walking them.
      const dir = inner.slice(0, inner.lastIndexOf('/') + 1)
      const listed = await this.engine.readDir(view, dir)
      if (listed.marker !== undefined && dir.startsWith(inner)) out.push(item(this.outer(view, scope, dir), listed.marker))
      for (const f of listed.files) if (f.key.startsWith(inner)) out.push(item(this.outer(view, scope, f.key), f.version))
      for (const d of listed.dirs) if (d.prefix.startsWith(inner)) out.push(item(this.outer(view, scope, d.prefix)))
    } else {
      const groups = new Set<string>()
      for (const f of await this.engine.walk(view, inner)) {
        const cut = delimiter === undefined ? -1 : f.key.indexOf(delimiter, inner.length)
        if (cut < 0) {
          out.push(item(this.outer(view, scope, f.key), f.version))
          continue
        }
        const prefix = f.key.slice(0, cut + (delimiter as string).length)
        if (!groups.has(prefix)) out.push(item(this.outer(view, scope, prefix)))
        groups.add(prefix)
      }
    }
    if (scope.offersViews && delimiter === '/' && !scope.prefix.includes('/')) {
      const have = new Set(out.map(i => i.name))
      for (const name of await this.offeredViews(view.bucket)) {
        if (name.startsWith(scope.prefix) && !have.has(name)) out.push(item(name))
      }
    }
    // Keys sharing a group are contiguous in byte order, but a group can land among other keys: sort once.
    return out.sort((a, b) => Buffer.compare(a.bytes, b.bytes))
  }

  /** `@latest/` and the bucket's labels, as a bucket's root offers them. */
  private async offeredViews (bucket: string): Promise<string[]> {
    const labels = this.engine.labels instanceof Labels ? await this.engine.labels.list(bucket) : []
    return ['@latest/', ...labels.map(l => `@${l.name}/`)]
  }

  private async keyAfter (view: View, scope: ListingScope, prefix: string, after: string): Promise<boolean> {
    const inner = this.inner(view, scope, prefix)
    const mark = Buffer.from(this.inner(view, scope, after), 'utf8')
    return (await this.engine.walk(view, inner)).some(f => Buffer.compare(Buffer.from(f.key, 'utf8'), mark) > 0)
  }
}

/** Index of the first item after `mark` in byte order. */
function firstAfter (items: Item[], mark: Buffer): number {
  let lo = 0
  let hi = items.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (Buffer.compare(items[mid].bytes, mark) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}
