import { LRUCache } from 'lru-cache'
import { InfinError } from '../core/errors.js'
import type { Version } from '../core/versions.js'
import type { Engine, View } from '../engine/engine.js'
import { dirStat, fileStat, linkStat, versionMtime, type Owner, type Stat } from '../fs/attrs.js'
import { DirCache, type Entry } from './dirs.js'
import { labelLinkTarget, type LabelIndex, type LabelInfo } from './label-links.js'
import type { Log } from '../config/log.js'
import { LABELS_DIR, parseFsPath, type FsPath } from './paths.js'
import type { ReadHandle, Reader } from '../reader/types.js'

export interface TreeOptions {
  /** Buckets to show; default: whatever ListBuckets returns. */
  buckets?: string[]
  owner: Owner
  liveTtlMs: number
  settleMarginMs: number
  /** How long the kernel trusts the attributes it was given (the mount's attr timeout). */
  attrTimeoutMs: number
  log: Log
  labels?: LabelIndex
  /** Directory entries kept in the named-listing cache. */
  maxDirEntries?: number
}

/** ListBuckets and resolved views are reused this long. */
const META_TTL_MS = 10_000
const O_ACCMODE = 0o3
const O_TRUNC = 0o1000
const W_OK = 2

type Resolved = { kind: 'dir', prefix: string } | (Entry & { kind: 'file', live: boolean })

interface Reading { handle: ReadHandle, size: number }

interface Open {
  bucket: string
  path: string
  openedAt: number
  /** Set once the version is chosen: at open for settled views, at the first read for live ones. */
  reading?: Promise<Reading>
}

function notFound (what: string): InfinError {
  return new InfinError('NotFound', `${what} does not exist`)
}

function readOnly (path: string): InfinError {
  return new InfinError('ReadOnly', `${path}: the time-travel tree is read-only`)
}

/** The time of a view, as its directories' mtime. */
function viewTime (view: View, fallback: number): number {
  return view.spec.kind === 'at' ? view.spec.t : view.spec.kind === 'slice' ? view.spec.to : fallback
}

/**
 * The file system without FUSE: every operation takes a mount path and
 * answers with attributes, names or bytes, or throws a domain error. The
 * FUSE adapter only translates. Attributes come from the parent directory's
 * listing, so no entry costs an S3 request of its own.
 */
export class TimeTree {
  readonly engine: Engine
  private readonly reader: Reader
  private readonly opts: TreeOptions
  private readonly dirs: DirCache
  private readonly started = Date.now()
  private bucketList: { at: number, names: Promise<Set<string>> } | undefined
  private readonly views = new LRUCache<string, { at: number, view: View }>({ max: 1000 })
  /**
   * For paths in live views: the version of the last attributes answered,
   * and when. libfuse decides at each open whether the kernel keeps the
   * file's cached pages by comparing the attributes it last saw (it may ask
   * for them during the open), and the kernel reads up to the size it last
   * saw. A live file therefore reads the version of the latest answer, taken
   * at its first read, after the open has settled what was cached.
   */
  private readonly pins = new LRUCache<string, { version: Version, at: number }>({ max: 100_000 })
  private readonly handles = new Map<number, Open>()
  private nextFd = 1

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
  }

  async getattr (path: string): Promise<Stat> {
    const p = parseFsPath(path)
    const { owner } = this.opts
    switch (p.kind) {
      case 'root': return dirStat(owner, this.started)
      case 'labels':
        if (this.opts.labels === undefined) throw notFound(path)
        return dirStat(owner, this.started)
      case 'label': return linkStat(owner, labelLinkTarget(await this.label(p.name)), this.started)
      case 'bucket':
        await this.checkBucket(p.bucket)
        return dirStat(owner, this.started)
      case 'view': {
        this.pins.delete(path)
        const view = await this.view(p.bucket, p.spec)
        const r = await this.resolve(view, p.names, path)
        if (r.kind === 'dir') return dirStat(owner, viewTime(view, this.started))
        if (r.live) this.pins.set(path, { version: r.version, at: Date.now() })
        return fileStat(owner, r.version.size, versionMtime(r.version))
      }
      case 'none': throw notFound(path)
    }
  }

  async readdir (path: string): Promise<string[]> {
    const p = parseFsPath(path)
    switch (p.kind) {
      case 'root': {
        const buckets = [...await this.bucketNames()].sort()
        return this.opts.labels === undefined ? buckets : [LABELS_DIR, ...buckets]
      }
      case 'labels': {
        if (this.opts.labels === undefined) throw notFound(path)
        return (await this.opts.labels.list()).map(l => l.name).sort()
      }
      case 'bucket': {
        await this.checkBucket(p.bucket)
        const labels = this.opts.labels === undefined ? [] : await this.opts.labels.list(p.bucket)
        return ['@latest', ...labels.map(l => '@' + l.name).sort()]
      }
      case 'view': {
        const view = await this.view(p.bucket, p.spec)
        const r = await this.resolve(view, p.names, path)
        if (r.kind !== 'dir') throw notFound(`directory ${path}`)
        const dir = await this.dirs.get(view, r.prefix)
        if (!dir.exists) throw notFound(path)
        return [...dir.entries.keys()]
      }
      case 'label': case 'none': throw notFound(`directory ${path}`)
    }
  }

  async readlink (path: string): Promise<string> {
    const p = parseFsPath(path)
    if (p.kind !== 'label') throw notFound(`link ${path}`)
    return labelLinkTarget(await this.label(p.name))
  }

  async access (path: string, mode: number): Promise<void> {
    if ((mode & W_OK) !== 0) throw readOnly(path)
    await this.getattr(path)
  }

  /** Opens a file for reading; returns a file handle number for read and release. */
  async openFile (path: string, flags: number): Promise<number> {
    if ((flags & O_ACCMODE) !== 0 || (flags & O_TRUNC) !== 0) throw readOnly(path)
    const p = parseFsPath(path)
    if (p.kind !== 'view') throw notFound(`file ${path}`)
    const view = await this.view(p.bucket, p.spec)
    const r = await this.resolve(view, p.names, path)
    if (r.kind !== 'file') throw notFound(`file ${path}`)
    const f: Open = { bucket: p.bucket, path, openedAt: Date.now() }
    if (!r.live) f.reading = Promise.resolve(this.reading(f, r.version))
    const fd = this.nextFd
    this.nextFd = this.nextFd >= 0x7fffffff ? 1 : this.nextFd + 1
    this.handles.set(fd, f)
    return fd
  }

  async read (fd: number, offset: number, length: number): Promise<Buffer> {
    return await this.withHandle(fd, async (handle, size) =>
      offset >= size || length <= 0 ? Buffer.alloc(0) : await handle.read(offset, Math.min(length, size - offset)))
  }

  /**
   * Like read, but copies the bytes into `target` (a FUSE read's buffer)
   * and says how many. Once `answered()` is true nothing is copied: the
   * caller's memory may then serve another request.
   */
  async readInto (fd: number, target: Uint8Array, offset: number, answered: () => boolean): Promise<number> {
    return await this.withHandle(fd, async (handle, size) => {
      const want = target.subarray(0, Math.max(0, Math.min(target.length, size - offset)))
      if (want.length === 0) return 0
      if (handle.readInto !== undefined) return await handle.readInto(want, offset, answered)
      const bytes = await handle.read(offset, want.length)
      if (answered()) throw new InfinError('Unavailable', 'the read was answered before its bytes came')
      want.set(bytes)
      return bytes.length
    })
  }

  private async withHandle<T> (fd: number, work: (handle: ReadHandle, size: number) => Promise<T>): Promise<T> {
    const f = this.handles.get(fd)
    if (f === undefined) throw notFound(`open file ${fd}`)
    if (f.reading === undefined) {
      // Concurrent first reads (the kernel reads ahead in parallel) share one choice; a failed one is retried.
      const choice = this.chooseLive(f)
      f.reading = choice
      choice.catch(() => { if (f.reading === choice) f.reading = undefined })
    }
    try {
      const { handle, size } = await f.reading
      return await work(handle, size)
    } catch (e) {
      // The file was open, so "not found" now means it vanished meanwhile: an I/O error, not ENOENT.
      if (e instanceof InfinError && e.code === 'NotFound') {
        throw new InfinError('Unavailable', `${f.path}: ${e.message} (it was there when opened)`, { cause: e })
      }
      throw e
    }
  }

  private reading (f: Open, version: Version): Reading {
    return { handle: this.reader.open(f.bucket, version), size: version.size }
  }

  /**
   * The latest answer, if it was still trusted when the file was opened (or
   * came later): then libfuse judged the cached pages against it. Otherwise
   * libfuse dropped the pages at the open, and the newest version is safe.
   */
  private async chooseLive (f: Open): Promise<Reading> {
    const pin = this.pins.get(f.path)
    if (pin !== undefined && pin.at >= f.openedAt - this.opts.attrTimeoutMs) return this.reading(f, pin.version)
    const p = parseFsPath(f.path) as Extract<FsPath, { kind: 'view' }>
    const r = await this.resolve(await this.view(p.bucket, p.spec), p.names, f.path)
    if (r.kind !== 'file') throw notFound(`file ${f.path}`)
    this.pins.set(f.path, { version: r.version, at: Date.now() })
    return this.reading(f, r.version)
  }

  release (fd: number): void {
    this.handles.get(fd)?.reading?.then(r => { r.handle.close() }, () => {})
    this.handles.delete(fd)
  }

  /** Files open now (for status and tests). */
  get openFiles (): number { return this.handles.size }

  private async bucketNames (): Promise<Set<string>> {
    if (this.opts.buckets !== undefined) return new Set(this.opts.buckets)
    if (this.bucketList === undefined || Date.now() - this.bucketList.at > META_TTL_MS) {
      const names = this.engine.s3.listBuckets().then(list => new Set(list.map(b => b.name)))
      const entry = { at: Date.now(), names }
      this.bucketList = entry
      names.catch(() => { if (this.bucketList === entry) this.bucketList = undefined })
    }
    return await this.bucketList.names
  }

  private async checkBucket (bucket: string): Promise<void> {
    if (!(await this.bucketNames()).has(bucket)) throw notFound(`bucket ${bucket}`)
  }

  /** Resolves `@spec` text of a bucket; failures are not kept, as a future time becomes valid later. */
  private async view (bucket: string, spec: string): Promise<View> {
    const key = `${bucket}\0${spec}`
    const hit = this.views.get(key)
    if (hit !== undefined && Date.now() - hit.at < META_TTL_MS) return hit.view
    await this.checkBucket(bucket)
    const view = await this.engine.view(bucket, spec)
    this.views.set(key, { at: Date.now(), view })
    return view
  }

  private async resolve (view: View, names: string[], path: string): Promise<Resolved> {
    let prefix = view.root
    for (let i = 0; i < names.length; i++) {
      const dir = await this.dirs.get(view, prefix)
      const e = dir.exists ? dir.entries.get(names[i]) : undefined
      if (e === undefined) throw notFound(path)
      if (i === names.length - 1 && e.kind === 'file') return { ...e, live: dir.live }
      if (e.kind !== 'dir') throw notFound(path)
      prefix = e.prefix
    }
    return { kind: 'dir', prefix }
  }

  private async label (name: string): Promise<LabelInfo> {
    const found = (await this.opts.labels?.list())?.find(l => l.name === name)
    if (found === undefined) throw notFound(`label ${name}`)
    return found
  }
}
