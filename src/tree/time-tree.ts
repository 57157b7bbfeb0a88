import { LRUCache } from 'lru-cache'
import type { Log } from '../config/log.js'
import { InfinError } from '../core/errors.js'
import { historyNote, type HistoryNote } from '../core/history-note.js'
import { formatInstant } from '../core/timespec.js'
import type { Version } from '../core/versions.js'
import type { Engine, View } from '../engine/engine.js'
import type { ReadHandle, Reader } from '../reader/types.js'
import { DirCache, dirKey, type Entry, type NamedDir } from './dirs.js'
import { labelLinkTarget, type LabelIndex, type LabelInfo } from './label-links.js'
import { versionMtime, type TreeFile, type TreeNode } from './nodes.js'
import { LABELS_DIR, parseTreePath, type TreePath } from './paths.js'
import { SiblingReadahead } from './siblings.js'

export interface TreeOptions {
  /** Buckets to show; default: whatever ListBuckets returns. */
  buckets?: string[]
  liveTtlMs: number
  settleMarginMs: number
  /**
   * How long a surface's clients trust the attributes they were given (the
   * mount's attr timeout): a live file opened within it reads the version
   * they were shown.
   */
  attrTimeoutMs: number
  log: Log
  labels?: LabelIndex
  /** Directory entries kept in the named-listing cache. */
  maxDirEntries?: number
  /**
   * Files of a folder read in name order are fetched this many ahead, if
   * at most `maxBytes` (default 8 files of up to 1 MiB: what the mount's
   * reader fetches by a first read anyway); 0 files turns it off.
   */
  siblings?: { ahead: number, maxBytes: number }
}

/** Resolved views are reused this long. */
const VIEW_TTL_MS = 10_000

type Resolved = { kind: 'dir', prefix: string } | (Entry & { kind: 'file', live: boolean, parent: string })

interface Reading { handle: ReadHandle, size: number }

function notFound (what: string): InfinError {
  return new InfinError('NotFound', `${what} does not exist`)
}

function show (path: readonly string[]): string {
  return '/' + path.join('/')
}

/** The time of a view, as its directories' mtime. */
function viewTime (view: View, fallback: number): number {
  return view.spec.kind === 'at' ? view.spec.t : view.spec.kind === 'slice' ? view.spec.to : fallback
}

function fileNode (name: string, version: Version): TreeNode {
  return { kind: 'file', name, size: version.size, mtime: versionMtime(version), version }
}

/**
 * The time-travel tree without FUSE: lookups, listings and opens by path
 * segments (see paths.ts), answered with nodes, names or bytes, or a domain
 * error. The mount, the contents API and the dashboard's paths all show
 * this one tree. Attributes come from the parent directory's listing, so no
 * entry costs an S3 request of its own.
 */
export class TimeTree {
  readonly engine: Engine
  /** The block cache and readahead; the S3 gateway beside the mount reads through it too. */
  readonly reader: Reader
  private readonly opts: TreeOptions
  private readonly dirs: DirCache
  private readonly siblings: SiblingReadahead | undefined
  private readonly started = Date.now()
  private readonly views = new LRUCache<string, { at: number, view: View }>({ max: 1000 })
  /**
   * For files in live views: the version of the last lookup, and when.
   * libfuse decides at each open whether the kernel keeps the file's cached
   * pages by comparing the attributes it last saw (it may ask for them
   * during the open), and the kernel reads up to the size it last saw. A
   * live file therefore reads the version of the latest lookup, taken at its
   * first read, after the open has settled what was cached.
   */
  private readonly pins = new LRUCache<string, { version: Version, at: number }>({ max: 100_000 })

  constructor (engine: Engine, reader: Reader, opts: TreeOptions) {
    this.engine = engine
    this.reader = reader
    this.opts = opts
    this.dirs = new DirCache(engine, {
      liveTtlMs: opts.liveTtlMs,
      settleMarginMs: opts.settleMarginMs,
      maxEntries: opts.maxDirEntries ?? 500_000,
      onShadowed: (view, key) => opts.log.warnOnce(`shadow\0${view.bucket}\0${key}`,
        `s3://${view.bucket}/${key} is hidden at ${view.name}: a directory of the same name wins`)
    })
    const siblings = opts.siblings ?? { ahead: 8, maxBytes: 1024 * 1024 }
    const prefetch = reader.prefetch
    this.siblings = prefetch !== undefined && siblings.ahead > 0
      ? new SiblingReadahead({ ...siblings, prefetch: (bucket, version) => { prefetch(bucket, version) } })
      : undefined
  }

  async lookup (path: readonly string[]): Promise<TreeNode> {
    const p = parseTreePath(path)
    const name = path.at(-1) ?? ''
    switch (p.kind) {
      case 'root': return { kind: 'dir', name, mtime: this.started }
      case 'labels':
        if (this.opts.labels === undefined) throw notFound(show(path))
        return { kind: 'dir', name, mtime: this.started }
      case 'label': return { kind: 'link', name, target: labelLinkTarget(await this.label(p.name)), mtime: this.started }
      case 'bucket':
        await this.checkBucket(p.bucket)
        return { kind: 'dir', name, mtime: this.started }
      case 'view': {
        const key = show(path)
        this.pins.delete(key)
        const view = await this.view(p.bucket, p.spec)
        const r = await this.resolve(view, p.names, path)
        if (r.kind === 'dir') return { kind: 'dir', name, mtime: viewTime(view, this.started) }
        if (r.live) this.pins.set(key, { version: r.version, at: Date.now() })
        return fileNode(name, r.version)
      }
      case 'none': throw notFound(show(path))
    }
  }

  /** A directory's entries, in name order (the mount's @labels first at the root). */
  async list (path: readonly string[]): Promise<TreeNode[]> {
    const p = parseTreePath(path)
    const dir = (name: string, mtime = this.started): TreeNode => ({ kind: 'dir', name, mtime })
    switch (p.kind) {
      case 'root': {
        const buckets = [...await this.bucketNames()].sort().map(b => dir(b))
        return this.opts.labels === undefined ? buckets : [dir(LABELS_DIR), ...buckets]
      }
      case 'labels': {
        if (this.opts.labels === undefined) throw notFound(show(path))
        const labels = [...await this.opts.labels.list()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
        return labels.map(l => ({ kind: 'link', name: l.name, target: labelLinkTarget(l), mtime: this.started }))
      }
      case 'bucket': {
        await this.checkBucket(p.bucket)
        const labels = this.opts.labels === undefined ? [] : await this.opts.labels.list(p.bucket)
        return [dir('@latest'), ...labels.map(l => '@' + l.name).sort().map(n => dir(n))]
      }
      case 'view': {
        const view = await this.view(p.bucket, p.spec)
        const r = await this.resolve(view, p.names, path)
        if (r.kind !== 'dir') throw notFound(`directory ${show(path)}`)
        const listed = await this.dirs.get(view, r.prefix)
        if (!listed.exists) throw notFound(show(path))
        const mtime = viewTime(view, this.started)
        return [...listed.entries.values()].map(e => e.kind === 'dir' ? dir(e.name, mtime) : fileNode(e.name, e.version))
      }
      case 'label': case 'none': throw notFound(`directory ${show(path)}`)
    }
  }

  /** What to say when `path` is inside a view of a time before its bucket's history begins; else undefined. */
  async historyNote (path: readonly string[]): Promise<HistoryNote | undefined> {
    const p = parseTreePath(path)
    if (p.kind !== 'view') return undefined
    const view = await this.view(p.bucket, p.spec)
    const horizon = await this.engine.beforeHorizon(view)
    return horizon === undefined ? undefined : historyNote(view.bucket, view.name, horizon)
  }

  /**
   * Opens a file for reading. A settled view's file is read as listed; a
   * live one reads the version chosen at its first read (see `pins`).
   */
  async open (path: readonly string[]): Promise<TreeFile> {
    const p = parseTreePath(path)
    if (p.kind !== 'view') throw notFound(`file ${show(path)}`)
    const view = await this.view(p.bucket, p.spec)
    const r = await this.resolve(view, p.names, path)
    if (r.kind !== 'file') throw notFound(`file ${show(path)}`)
    // A live view's files are chosen at their first read (see pins): only settled files are fetched ahead.
    if (!r.live) this.readAhead(view, r.parent, r.name)
    const openedAt = Date.now()
    /** The version read and its handle, once chosen (a live view chooses at the first read). */
    let chosen: Reading | undefined = r.live ? undefined : this.reading(p.bucket, r.version)
    let reading: Promise<Reading> | undefined = chosen === undefined ? undefined : Promise.resolve(chosen)
    let closed = false
    // The file was open, so "not found" now means it vanished meanwhile: an I/O error, not ENOENT.
    const vanished = (e: unknown): unknown => e instanceof InfinError && e.code === 'NotFound'
      ? new InfinError('Unavailable', `${show(path)}: ${e.message} (it was there when opened)`, { cause: e })
      : e
    const withReading = async <T>(work: (handle: ReadHandle, size: number) => T | Promise<T>): Promise<T> => {
      if (reading === undefined) {
        // Concurrent first reads (the kernel reads ahead in parallel) share one choice; a failed one is retried.
        const choice = this.chooseLive(p, path, openedAt)
        reading = choice
        choice.then(c => { chosen = c }, () => { if (reading === choice) reading = undefined })
      }
      try {
        const { handle, size } = await reading
        return await work(handle, size)
      } catch (e) {
        throw vanished(e)
      }
    }
    const into = (handle: ReadHandle, size: number, target: Uint8Array, offset: number, answered: () => boolean): number | Promise<number> => {
      const length = Math.max(0, Math.min(target.length, size - offset))
      if (length === 0) return 0
      const want = length === target.length ? target : target.subarray(0, length)
      if (handle.readInto !== undefined) return handle.readInto(want, offset, answered)
      return handle.read(offset, length).then(bytes => {
        if (answered()) throw new InfinError('Unavailable', `${show(path)}: the read was answered before its bytes came`)
        want.set(bytes)
        return bytes.length
      })
    }
    return {
      read: async (offset, length) => await withReading(async (handle, size) =>
        offset >= size || length <= 0 ? Buffer.alloc(0) : await handle.read(offset, Math.min(length, size - offset))),
      readInto: (target, offset, answered) => {
        if (chosen === undefined) return withReading((handle, size) => into(handle, size, target, offset, answered))
        // Once chosen, a read whose bytes are in memory is answered at once (see ReadHandle.readInto).
        try {
          const got = into(chosen.handle, chosen.size, target, offset, answered)
          return got instanceof Promise ? got.catch(e => { throw vanished(e) }) : got
        } catch (e) {
          throw vanished(e)
        }
      },
      close: () => {
        if (closed) return
        closed = true
        reading?.then(r => { r.handle.close() }, () => {})
      }
    }
  }

  private readAhead (view: View, parent: string, name: string): void {
    if (this.siblings === undefined) return
    const order = this.dirs.filesOf(view, parent)
    if (order !== undefined && this.siblings.opened(dirKey(view, parent), view.bucket, order, name)) this.readNextFolder(view, parent)
  }

  /**
   * A folder read in order is near its end: the folder after it in its
   * parent is scanned, and its first files fetched, before the program
   * looks there (each folder's scan would otherwise be a wait of its own).
   */
  private readNextFolder (view: View, folder: string): void {
    const siblings = this.siblings
    if (siblings === undefined || folder === view.root) return
    const next = this.dirs.nextDir(view, folder.slice(0, folder.lastIndexOf('/', folder.length - 2) + 1), folder)
    if (next === undefined) return
    // A failed scan is only a missed guess: the program's own lookup scans again, and reports what fails.
    this.dirs.warm(view, next).then(order => {
      if (order !== undefined) siblings.entered(dirKey(view, next), view.bucket, order)
    }, () => {})
  }

  private reading (bucket: string, version: Version): Reading {
    return { handle: this.reader.open(bucket, version), size: version.size }
  }

  /**
   * The latest lookup's version, if it was still trusted when the file was
   * opened (or came later): then libfuse judged the cached pages against it.
   * Otherwise libfuse dropped the pages at the open, and the newest version
   * is safe.
   */
  private async chooseLive (p: Extract<TreePath, { kind: 'view' }>, path: readonly string[], openedAt: number): Promise<Reading> {
    const key = show(path)
    const pin = this.pins.get(key)
    if (pin !== undefined && pin.at >= openedAt - this.opts.attrTimeoutMs) return this.reading(p.bucket, pin.version)
    const r = await this.resolve(await this.view(p.bucket, p.spec), p.names, path)
    if (r.kind !== 'file') throw notFound(`file ${key}`)
    this.pins.set(key, { version: r.version, at: Date.now() })
    return this.reading(p.bucket, r.version)
  }

  private async bucketNames (): Promise<Set<string>> {
    if (this.opts.buckets !== undefined) return new Set(this.opts.buckets)
    return new Set((await this.engine.buckets()).map(b => b.name))
  }

  private async checkBucket (bucket: string): Promise<void> {
    if (!(await this.bucketNames()).has(bucket)) throw notFound(`bucket ${bucket}`)
  }

  /** Resolves `@spec` text of a bucket; failures are not kept, as a future time becomes valid later. */
  private async view (bucket: string, spec: string): Promise<View> {
    const key = `${bucket}\0${spec}`
    const hit = this.views.get(key)
    if (hit !== undefined && Date.now() - hit.at < VIEW_TTL_MS) return hit.view
    await this.checkBucket(bucket)
    const view = await this.engine.view(bucket, spec)
    this.views.set(key, { at: Date.now(), view })
    return view
  }

  private async resolve (view: View, names: string[], path: readonly string[]): Promise<Resolved> {
    let prefix = view.root
    for (let i = 0; i < names.length; i++) {
      const e = await this.dirs.entry(view, prefix, names[i])
      if (e === undefined) throw this.missing(view, await this.dirs.get(view, prefix), names[i], path, i === names.length - 1)
      if (i === names.length - 1 && e.kind === 'file') return { ...e, live: this.dirs.isLive(view), parent: prefix }
      if (e.kind !== 'dir') throw notFound(show(path))
      prefix = e.prefix
    }
    return { kind: 'dir', prefix }
  }

  /**
   * Why a name is missing. Plain "not found" is routine (shells probe
   * names), but a file deleted at the view's time is worth a log line:
   * it existed, and the log says when its delete marker was written.
   */
  private missing (view: View, dir: NamedDir, name: string, path: readonly string[], last: boolean): InfinError {
    const marker = last ? dir.deleted.get(name) : undefined
    if (marker === undefined) return notFound(show(path))
    const why = `s3://${view.bucket}/${marker.key} was deleted at ${formatInstant(marker.lastModified)} ` +
      `(a delete marker is in effect at ${view.name})`
    this.opts.log.warnOnce(`deleted\0${show(path)}`, `${show(path)}: no such file: ${why}`)
    return new InfinError('NotFound', `${show(path)} does not exist: ${why}`)
  }

  private async label (name: string): Promise<LabelInfo> {
    const found = (await this.opts.labels?.list())?.find(l => l.name === name)
    if (found === undefined) throw notFound(`label ${name}`)
    return found
  }
}
