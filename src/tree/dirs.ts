import { nameEntries, segmentName } from '../core/names.js'
import { formatSpec, horizonOf } from '../core/timespec.js'
import type { Version } from '../core/versions.js'
import type { DirEntry, Engine, FileEntry, View } from '../engine/engine.js'
import { Answers } from './answers.js'
import type { FileOrder } from './siblings.js'

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

interface Cached { dir: NamedDir, at: number, live: boolean }

/** A directory's keys by segment, its subdirectories' existence not yet known (Engine.scanDir). */
interface Scan {
  files: Map<string, FileEntry>
  candidates: Map<string, DirEntry>
  known: boolean
  at: number
  live: boolean
}

/**
 * Named directory listings per view. The engine already avoids S3 requests
 * for settled times; this keeps the per-view work (selecting versions,
 * mapping names) so that the getattr of every entry in an `ls -l` is a map
 * lookup rather than a pass over the whole directory.
 */
export class DirCache {
  private readonly engine: Engine
  private readonly opts: DirCacheOptions
  private readonly listings: Answers<Cached>
  private readonly scans: Answers<Scan>
  /** File orders made of cached entries, by the map they were made of. */
  private readonly orders = new WeakMap<ReadonlyMap<string, unknown>, FileOrder>()

  constructor (engine: Engine, opts: DirCacheOptions) {
    this.engine = engine
    this.opts = opts
    this.listings = new Answers(opts.maxEntries, c => c.dir.entries.size + c.dir.deleted.size + 1, opts.liveTtlMs)
    // Scans serve lookups until a listing of the same directory replaces them: a smaller share will do.
    this.scans = new Answers(Math.max(1, Math.floor(opts.maxEntries / 4)), c => c.files.size + c.candidates.size + 1, opts.liveTtlMs)
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
    const key = dirKey(view, prefix)
    const cached = await this.listings.get(key, async () => {
      const dir = await this.load(view, prefix)
      // The listing answers every lookup its scan did.
      this.scans.delete(key)
      return { dir, at: Date.now(), live: dir.live }
    })
    return cached.dir
  }

  /**
   * The entry called `name` in a directory, or undefined. Looking up a file
   * must not cost a search of every sibling directory (whether some key under
   * it is live), which `get` needs for a listing: a plain name found among
   * the directory's keys is answered from them and, when a subdirectory of
   * that name exists, from that subdirectory's search alone. A plain name
   * keeps its name whatever else the directory holds (see nameEntries);
   * other names, and names not found (whose "not found" may say which
   * delete marker hides them), take the whole directory.
   */
  async entry (view: View, prefix: string, name: string): Promise<Entry | undefined> {
    const whole = async (): Promise<Entry | undefined> => {
      const dir = await this.get(view, prefix)
      return dir.exists ? dir.entries.get(name) : undefined
    }
    const key = dirKey(view, prefix)
    if (this.listings.fresh(key) !== undefined || this.listings.loads(key) || segmentName(name) !== name) return await whole()
    const scan = await this.scan(view, prefix, key)
    const file = scan.files.get(name)
    const sub = scan.candidates.get(name)
    if (sub !== undefined && (scan.known || await this.engine.dirExists(view, sub.prefix))) {
      if (file !== undefined) this.opts.onShadowed(view, file.key)
      return { kind: 'dir', name, prefix: sub.prefix }
    }
    if (file !== undefined) return { kind: 'file', name, key: file.key, version: file.version }
    return await whole()
  }

  /**
   * A directory's files in the order a program listing it sees them, if the
   * directory is cached (no request is made): a listed one in name order, a
   * scanned one (lookups only) in key order, which is the same for plain names.
   */
  filesOf (view: View, prefix: string): FileOrder | undefined {
    const key = dirKey(view, prefix)
    const entries: ReadonlyMap<string, Entry | FileEntry> | undefined = this.listings.peek(key)?.dir.entries ?? this.scans.peek(key)?.files
    if (entries === undefined) return undefined
    let order = this.orders.get(entries)
    if (order === undefined) {
      const versions: Version[] = []
      const index = new Map<string, number>()
      for (const [name, e] of entries) {
        if ('version' in e) {
          index.set(name, versions.length)
          versions.push(e.version)
        }
      }
      order = { versions, index }
      this.orders.set(entries, order)
    }
    return order
  }

  /**
   * The subdirectory after `sub` in a cached directory (no request is
   * made): in name order if it was listed, in key order if only scanned.
   */
  nextDir (view: View, prefix: string, sub: string): string | undefined {
    const key = dirKey(view, prefix)
    const entries: Iterable<Entry | DirEntry> = this.listings.peek(key)?.dir.entries.values() ?? this.scans.peek(key)?.candidates.values() ?? []
    let found = false
    for (const e of entries) {
      if (!('prefix' in e)) continue
      if (found) return e.prefix
      found = e.prefix === sub
    }
    return undefined
  }

  /**
   * Makes a directory's scan ahead of a program's lookups in it (the scan
   * those lookups use) and returns its files' order, as `filesOf` does.
   */
  async warm (view: View, prefix: string): Promise<FileOrder | undefined> {
    const key = dirKey(view, prefix)
    if (this.listings.fresh(key) === undefined) await this.scan(view, prefix, key)
    return this.filesOf(view, prefix)
  }

  private async scan (view: View, prefix: string, key: string): Promise<Scan> {
    return await this.scans.get(key, async () => {
      const live = this.isLive(view)
      const raw = await this.engine.scanDir(view, prefix)
      return {
        files: new Map(raw.files.map(f => [f.seg, f])),
        candidates: new Map(raw.candidates.map(d => [d.seg, d])),
        known: raw.known,
        at: Date.now(),
        live
      }
    })
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

/** Names one directory of one view, for caches keyed by directory. */
export function dirKey (view: View, prefix: string): string {
  return `${view.bucket}\0${formatSpec(view.spec)}\0${prefix}`
}
