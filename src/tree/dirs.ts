import { LRUCache } from 'lru-cache'
import { nameEntries } from '../core/names.js'
import { formatSpec, horizonOf } from '../core/timespec.js'
import type { Version } from '../core/versions.js'
import type { Engine, View } from '../engine/engine.js'

export type Entry =
  | { kind: 'file', name: string, key: string, version: Version }
  | { kind: 'dir', name: string, prefix: string }

/** One directory of a view, under the file names the mount shows. */
export interface NamedDir {
  exists: boolean
  /** By file name, in name order. */
  entries: Map<string, Entry>
  /** True when the answer may still change: `latest`, or a time too recent to be settled. */
  live: boolean
  /** Files hidden by a delete marker in effect in the view, by their plain name: the marker. */
  deleted: Map<string, Version>
}

export interface DirCacheOptions {
  /** How long a live directory's answer is reused. */
  liveTtlMs: number
  /** The engine's settle margin: history older than server time minus this is final. */
  settleMarginMs: number
  /** Entries kept over all cached directories. */
  maxEntries: number
  /** Called for a file hidden by a directory of the same name. */
  onShadowed: (view: View, key: string) => void
}

interface Cached { dir: NamedDir, at: number }

/**
 * Named directory listings per view. The engine already avoids S3 requests
 * for settled times; this keeps the per-view work (selecting versions,
 * mapping names) so that the getattr of every entry in an `ls -l` is a map
 * lookup rather than a pass over the whole directory.
 */
export class DirCache {
  private readonly engine: Engine
  private readonly opts: DirCacheOptions
  private readonly done: LRUCache<string, Cached>
  private readonly pending = new Map<string, Promise<NamedDir>>()

  constructor (engine: Engine, opts: DirCacheOptions) {
    this.engine = engine
    this.opts = opts
    this.done = new LRUCache({ maxSize: opts.maxEntries, sizeCalculation: (c: Cached) => c.dir.entries.size + c.dir.deleted.size + 1 })
  }

  /**
   * Whether a view can still change. A fixed time counts as settled only
   * once it is older than the settle margin plus one live period, so that no
   * listing the engine reuses for it can predate its history.
   */
  isLive (view: View): boolean {
    if (view.spec.kind === 'latest') return true
    return horizonOf(view.spec) > this.engine.latestServerTime() - this.opts.settleMarginMs - this.opts.liveTtlMs
  }

  async get (view: View, prefix: string): Promise<NamedDir> {
    const key = `${view.bucket}\0${formatSpec(view.spec)}\0${prefix}`
    const hit = this.done.get(key)
    if (hit !== undefined && (!hit.dir.live || Date.now() - hit.at < this.opts.liveTtlMs)) return hit.dir
    let running = this.pending.get(key)
    if (running === undefined) {
      running = this.load(view, prefix)
        .then(dir => {
          this.done.set(key, { dir, at: Date.now() })
          return dir
        })
        .finally(() => this.pending.delete(key))
      this.pending.set(key, running)
    }
    return await running
  }

  private async load (view: View, prefix: string): Promise<NamedDir> {
    const live = this.isLive(view)
    const raw = await this.engine.readDir(view, prefix)
    const { named, shadowed } = nameEntries([
      ...raw.files.map(f => ({ seg: f.seg, kind: 'file' as const, key: f.key, version: f.version, prefix: '' })),
      ...raw.dirs.map(d => ({ seg: d.seg, kind: 'dir' as const, key: '', version: undefined, prefix: d.prefix }))
    ])
    for (const s of shadowed) this.opts.onShadowed(view, s.key)
    const entries = new Map<string, Entry>()
    for (const e of named) {
      entries.set(e.name, e.kind === 'file'
        ? { kind: 'file', name: e.name, key: e.key, version: e.version as Version }
        : { kind: 'dir', name: e.name, prefix: e.prefix })
    }
    const deleted = new Map(raw.deleted.filter(d => !entries.has(d.seg)).map(d => [d.seg, d.version]))
    return { exists: raw.exists, entries, live, deleted }
  }
}
