import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { InfinError } from '../core/errors.js'
import { localFileText, notLive, parseLocalFile, takenMessage, type Label, type StoredLabel } from '../core/label-record.js'
import { FileLock, ownerTag, removeLeftovers, type LockOptions } from './lock.js'
import type { LabelStore } from './store.js'

/** A temporary file of a write (see removeLeftovers); older ones had no owner tag. */
const TEMP = /^\.(?:([0-9a-f]{8})-(\d+)-)?[0-9a-f]{12}\.tmp$/

/** A file-system failure while changing the store, said as such (domain errors pass through). */
function unwritable (where: string, e: unknown): unknown {
  if (e instanceof InfinError) return e
  const err = e as NodeJS.ErrnoException
  const why = err.message
  if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS') {
    return new InfinError('AccessDenied', `cannot write label store ${where} (${why}); choose a writable place with --label-store`, { cause: e })
  }
  return new InfinError('Unavailable', `cannot write label store ${where} (${why}); choose a place where files can be created with --label-store`, { cause: e })
}

/**
 * Labels in one JSON file (by default in the XDG config directory). Readers
 * need no lock: every write replaces the file whole by rename. Writers take
 * a lock file and re-read under it, so two racing commands both see each
 * other's labels and exactly one gets a contested name.
 */
export class LocalLabelStore implements LabelStore {
  readonly where: string
  private readonly lock: FileLock

  constructor (path: string, lockOptions: Partial<LockOptions> = {}) {
    this.where = path
    this.lock = new FileLock(path + '.lock', lockOptions)
  }

  private async read (): Promise<StoredLabel[]> {
    let text: string
    try {
      text = await readFile(this.where, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw new InfinError('Unavailable', `cannot read label store ${this.where}: ${(e as Error).message}`)
    }
    return parseLocalFile(text, this.where)
  }

  private async write (entries: StoredLabel[], assertHeld: () => Promise<void>): Promise<void> {
    const temp = `${this.where}.${ownerTag()}-${randomBytes(6).toString('hex')}.tmp`
    // Readable by others: labels are meant to be shared, and the file may sit on a shared filesystem.
    const file = await open(temp, 'wx', 0o644)
    try {
      await file.writeFile(localFileText(entries))
      await file.sync()
    } finally {
      await file.close()
    }
    try {
      await assertHeld()
      await rename(temp, this.where)
    } catch (e) {
      await unlink(temp).catch(() => {})
      throw e
    }
  }

  private async change<T> (edit: (entries: StoredLabel[]) => T): Promise<T> {
    try {
      await mkdir(dirname(this.where), { recursive: true, mode: 0o700 })
      return await this.lock.with(async assertHeld => {
        // Holding the lock: what crashed writers left is swept before writing.
        await removeLeftovers(this.where, [...FileLock.LEFTOVERS, TEMP], this.lock.opts.staleMs)
        const entries = await this.read()
        const result = edit(entries)
        await this.write(entries, assertHeld)
        return result
      })
    } catch (e) {
      throw unwritable(this.where, e)
    }
  }

  async list (bucket?: string): Promise<Label[]> {
    return (await this.read()).filter(e => e.deleted === undefined && (bucket === undefined || e.label.bucket === bucket))
      .map(e => e.label).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  }

  async get (name: string): Promise<StoredLabel | undefined> {
    return (await this.read()).find(e => e.label.name === name)
  }

  async create (label: Label): Promise<void> {
    await this.change(entries => {
      const taken = entries.find(e => e.label.name === label.name)
      if (taken !== undefined) throw new InfinError('Conflict', takenMessage(taken))
      entries.push({ label })
    })
  }

  async remove (name: string, by: string): Promise<StoredLabel> {
    return await this.change(entries => {
      const found = entries.find(e => e.label.name === name)
      if (found === undefined || found.deleted !== undefined) throw notLive(name, found, this.where)
      found.deleted = { name, deletedAt: Date.now(), deletedBy: by }
      return found
    })
  }
}
