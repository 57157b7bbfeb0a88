import { createHash, randomBytes } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { crc32 } from 'node:zlib'

// File layout: MAGIC, then u32 id length, u32 data length, u32 crc32(data),
// then the id (guards against a hash collision or a misplaced file), then data.
const MAGIC = Buffer.from('INFBLK01')
const HEADER = MAGIC.length + 12
/** Hits refresh a file's mtime (eviction is oldest-first) at most this often. */
const TOUCH_AFTER_MS = 60_000
/** Temp files older than this belong to a writer that died. */
const STALE_TEMP_MS = 10 * 60_000

export interface DiskCacheOptions {
  dir: string
  /** The directory's size bound, shared with other processes using it. */
  maxBytes: number
  /** Bytes waiting to be written beyond which new writes are skipped: a slow disk must not hold memory. */
  maxPendingBytes?: number
}

export interface DiskStats {
  hits: number
  misses: number
  /** Files that failed validation (partial, garbled, foreign) and were treated as misses. */
  corrupt: number
  writes: number
  writeDrops: number
  writeErrors: number
  evictions: number
}

interface Entry { path: string, size: number, mtimeMs: number }

/**
 * Blocks on local disk, one file each, so a second epoch and other processes
 * re-read at disk speed. Files appear atomically (temp file + rename), so
 * processes can share the directory; each file carries its id and a CRC, so
 * a partial or corrupt file is a miss, never wrong bytes. The directory is
 * kept under `maxBytes` by deleting the least recently used files first;
 * each process rescans after writing a tenth of the bound, so several
 * processes overshoot by at most about that much each.
 */
export class DiskCache {
  readonly stats: DiskStats = { hits: 0, misses: 0, corrupt: 0, writes: 0, writeDrops: 0, writeErrors: 0, evictions: 0 }
  private readonly root: string
  private readonly tmp: string
  private readonly maxBytes: number
  private readonly maxPendingBytes: number
  private readonly madeDirs = new Set<string>()
  private readonly writes = new Set<Promise<void>>()
  private pendingBytes = 0
  /** The directory's size as of the last scan plus this process's writes since; unknown before a scan. */
  private used: number | undefined
  private writtenSinceScan = 0
  private trimming: Promise<void> | undefined

  constructor (opts: DiskCacheOptions) {
    this.root = join(opts.dir, 'blocks-v1')
    this.tmp = join(opts.dir, 'tmp')
    this.maxBytes = opts.maxBytes
    this.maxPendingBytes = opts.maxPendingBytes ?? 64 << 20
  }

  /** The block stored under `id` if a valid one of `length` bytes is there. */
  async get (id: string, length: number): Promise<Buffer | undefined> {
    const path = this.pathOf(id)
    let fh: FileHandle
    try {
      fh = await open(path, 'r')
    } catch {
      this.stats.misses++
      return undefined
    }
    let data: Buffer | undefined
    try {
      data = await readBlock(fh, id, length)
    } catch {
      data = undefined
    } finally {
      await fh.close().catch(() => {})
    }
    if (data === undefined) {
      this.stats.corrupt++
      this.stats.misses++
      await unlink(path).catch(() => {})
      return undefined
    }
    this.stats.hits++
    return data
  }

  /** True when a file for `id` exists (it may still fail validation when read). */
  async has (id: string): Promise<boolean> {
    return await stat(this.pathOf(id)).then(s => s.isFile(), () => false)
  }

  /**
   * Stores a block in the background; skipped when the disk lags too far
   * behind. `release` is called once `data` is no longer needed.
   */
  put (id: string, data: Buffer, release: () => void = () => {}): void {
    if (this.pendingBytes + data.length > this.maxPendingBytes) {
      this.stats.writeDrops++
      release()
      return
    }
    this.pendingBytes += data.length
    const done = this.write(id, data)
      .catch(() => {
        this.stats.writeErrors++
        // The directory may have been removed under us: recreate it next time.
        this.madeDirs.clear()
      })
      .finally(() => {
        this.pendingBytes -= data.length
        this.writes.delete(done)
        release()
      })
    this.writes.add(done)
  }

  /** Waits for queued writes and any eviction pass. */
  async flush (): Promise<void> {
    while (this.writes.size > 0 || this.trimming !== undefined) {
      await Promise.all([...this.writes, this.trimming])
    }
  }

  private pathOf (id: string): string {
    const name = createHash('sha256').update(id).digest('hex')
    return join(this.root, name.slice(0, 2), name)
  }

  private async ensureDir (dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return
    await mkdir(dir, { recursive: true, mode: 0o700 })
    this.madeDirs.add(dir)
  }

  private async write (id: string, data: Buffer): Promise<void> {
    const path = this.pathOf(id)
    await this.ensureDir(dirname(path))
    await this.ensureDir(this.tmp)
    const key = Buffer.from(id)
    const header = Buffer.alloc(HEADER)
    MAGIC.copy(header)
    header.writeUInt32LE(key.length, MAGIC.length)
    header.writeUInt32LE(data.length, MAGIC.length + 4)
    header.writeUInt32LE(crc32(data), MAGIC.length + 8)
    const temp = join(this.tmp, `${path.slice(-16)}.${process.pid}.${randomBytes(6).toString('hex')}`)
    const total = header.length + key.length + data.length
    const fh = await open(temp, 'wx', 0o600)
    try {
      const { bytesWritten } = await fh.writev([header, key, data])
      if (bytesWritten !== total) throw new Error(`short write to ${temp}`)
    } catch (e) {
      await fh.close().catch(() => {})
      await unlink(temp).catch(() => {})
      throw e
    }
    await fh.close()
    await rename(temp, path).catch(async (e: unknown) => {
      await unlink(temp).catch(() => {})
      throw e
    })
    this.stats.writes++
    this.account(total)
  }

  private account (bytes: number): void {
    if (this.used !== undefined) this.used += bytes
    this.writtenSinceScan += bytes
    this.trimIfDue()
  }

  private trimIfDue (): void {
    const due = this.used === undefined || this.used > this.maxBytes || this.writtenSinceScan > this.maxBytes / 10
    if (!due || this.trimming !== undefined) return
    this.trimming = this.trim().catch(() => {}).finally(() => {
      this.trimming = undefined
      // Writes that landed during the pass may have pushed the total over
      // again. Only they re-arm it: files that cannot be deleted must not
      // turn this into a loop.
      if (this.writtenSinceScan > 0 && this.used !== undefined && this.used > this.maxBytes) this.trimIfDue()
    })
  }

  /** Rescans the directory (other processes write too) and evicts down to 90% of the bound. */
  private async trim (): Promise<void> {
    this.writtenSinceScan = 0
    const files = await this.scan()
    let total = files.reduce((sum, f) => sum + f.size, 0)
    if (total > this.maxBytes) {
      files.sort((a, b) => a.mtimeMs - b.mtimeMs)
      const goal = this.maxBytes * 0.9
      for (const f of files) {
        if (total <= goal) break
        const gone = await unlink(f.path).then(() => true, (e: NodeJS.ErrnoException) => e.code === 'ENOENT')
        if (!gone) continue
        total -= f.size
        this.stats.evictions++
      }
    }
    this.used = total + this.writtenSinceScan
  }

  private async scan (): Promise<Entry[]> {
    const now = Date.now()
    for (const e of await statAll(this.tmp)) {
      if (now - e.mtimeMs > STALE_TEMP_MS) await unlink(e.path).catch(() => {})
    }
    const files: Entry[] = []
    for (const sub of await readdir(this.root).catch(() => [] as string[])) {
      files.push(...await statAll(join(this.root, sub)))
    }
    return files
  }
}

async function statAll (dir: string): Promise<Entry[]> {
  const names = await readdir(dir).catch(() => [] as string[])
  const entries = await Promise.all(names.map(async name => {
    const path = join(dir, name)
    const s = await stat(path).catch(() => undefined)
    return s?.isFile() === true ? { path, size: s.size, mtimeMs: s.mtimeMs } : undefined
  }))
  return entries.filter((e): e is Entry => e !== undefined)
}

/** Reads and validates one block file; undefined when it is not exactly the block asked for. */
async function readBlock (fh: FileHandle, id: string, length: number): Promise<Buffer | undefined> {
  const key = Buffer.from(id)
  const expected = HEADER + key.length + length
  const info = await fh.stat()
  if (info.size !== expected) return undefined
  const buf = Buffer.allocUnsafe(expected)
  let got = 0
  while (got < expected) {
    const { bytesRead } = await fh.read(buf, got, expected - got, got)
    if (bytesRead === 0) return undefined
    got += bytesRead
  }
  const data = buf.subarray(HEADER + key.length)
  const valid = buf.subarray(0, MAGIC.length).equals(MAGIC) &&
    buf.readUInt32LE(MAGIC.length) === key.length &&
    buf.readUInt32LE(MAGIC.length + 4) === length &&
    buf.subarray(HEADER, HEADER + key.length).equals(key) &&
    buf.readUInt32LE(MAGIC.length + 8) === crc32(data)
  if (!valid) return undefined
  if (Date.now() - info.mtimeMs > TOUCH_AFTER_MS) {
    const now = new Date()
    await fh.utimes(now, now).catch(() => {})
  }
  return data
}
