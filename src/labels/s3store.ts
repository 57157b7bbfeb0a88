import { InfinError } from '../core/errors.js'
import {
  checkLabelName, corrupt, labelRecord, notLive, parseLabelRecord, parseStoredJson, parseTombstoneRecord, takenMessage,
  tombstoneRecord, type Label, type StoredLabel, type Tombstone
} from '../core/label-record.js'
import { orderHistory, type ListedVersion, type Version } from '../core/versions.js'
import type { S3Access } from '../s3/access.js'
import type { LabelStore } from './store.js'

const LABEL_FILE = 'label.json'
const DELETED_FILE = 'deleted.json'
const LAYOUT = /^([^/]+)\/(label|deleted)\.json$/

/** The version histories of one label's two objects. */
interface Slot { label?: Version[], deleted?: Version[] }

/**
 * Labels shared through S3: under the store's prefix, `NAME/label.json`
 * holds a label and `NAME/deleted.json` marks it deleted. The store's
 * bucket must keep versions, because the *oldest* version of a label
 * object is the label: a creator that raced and lost (on a server that
 * ignores If-None-Match) only adds a later version, which readers ignore.
 */
export class S3LabelStore implements LabelStore {
  readonly where: string
  private readonly s3: S3Access
  private readonly bucket: string
  private readonly prefix: string
  /** Parsed bodies by key and version id: a version never changes, so they are kept. */
  private readonly bodies = new Map<string, Promise<unknown>>()

  constructor (s3: S3Access, bucket: string, prefix: string) {
    this.s3 = s3
    this.bucket = bucket
    this.prefix = prefix
    this.where = `s3://${bucket}/${prefix}`
  }

  /** Puts the store's name on S3 failures, which otherwise read like failures of the data. */
  private async call<T> (fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (e) {
      if (!(e instanceof InfinError)) throw e
      if (e.code === 'Unavailable') {
        throw new InfinError('Unavailable', `label store ${this.where} is unreachable: ${e.message}`, { cause: e })
      }
      if (e.code === 'AccessDenied') throw new InfinError('AccessDenied', `label store ${this.where}: ${e.message}`, { cause: e })
      if (e.code === 'NotFound' && /no such bucket/.test(e.message)) {
        throw new InfinError('NotFound', `label store ${this.where}: bucket '${this.bucket}' does not exist; ` +
          'create it (with versioning enabled) or fix --label-store', { cause: e })
      }
      throw e
    }
  }

  private async histories (prefix: string): Promise<Map<string, Version[]>> {
    const byKey = new Map<string, ListedVersion[]>()
    await this.call(async () => {
      for await (const page of this.s3.listVersions(this.bucket, prefix)) {
        for (const v of page.entries) {
          const list = byKey.get(v.key)
          if (list === undefined) byKey.set(v.key, [v])
          else list.push(v)
        }
      }
    })
    return new Map([...byKey].map(([k, list]) => [k, orderHistory(list)]))
  }

  private async body (key: string, versionId: string): Promise<unknown> {
    const cacheKey = `${key}\0${versionId}`
    let body = this.bodies.get(cacheKey)
    if (body === undefined) {
      body = this.call(async () => await this.s3.get(this.bucket, key, versionId))
        .then(b => parseStoredJson(b.toString('utf8'), objectWhere(this.bucket, key, versionId)))
      this.bodies.set(cacheKey, body)
      body.catch(() => this.bodies.delete(cacheKey))
    }
    return await body
  }

  /** The first version ever written of a key: the one that counts. */
  private oldest (key: string, history: Version[]): Version {
    const kept = history.filter(v => !v.deleteMarker)
    if (kept.length === 0) throw corrupt(this.where, `s3://${this.bucket}/${key} has no version left to read`)
    return kept[kept.length - 1]
  }

  private async entry (name: string, labelHistory: Version[] | undefined,
    deletedHistory: Version[] | undefined): Promise<StoredLabel | undefined> {
    const key = this.prefix + name + '/'
    if (labelHistory === undefined) {
      if (deletedHistory !== undefined) throw corrupt(this.where, `'${name}' has a deletion record but no label object`)
      return undefined
    }
    const first = this.oldest(key + LABEL_FILE, labelHistory)
    const where = objectWhere(this.bucket, first.key, first.versionId)
    const label = parseLabelRecord(await this.body(first.key, first.versionId), where)
    if (label.name !== name) throw corrupt(where, `it holds label '${label.name}' under the name '${name}'`)
    let deleted: Tombstone | undefined
    if (deletedHistory !== undefined) {
      const d = this.oldest(key + DELETED_FILE, deletedHistory)
      const dWhere = objectWhere(this.bucket, d.key, d.versionId)
      deleted = parseTombstoneRecord(await this.body(d.key, d.versionId), dWhere)
      if (deleted.name !== name) throw corrupt(dWhere, `it deletes '${deleted.name}' under the name '${name}'`)
    } else if (labelHistory[0].deleteMarker) {
      // Removed with a plain S3 delete: gone as a label, but its name stays taken.
      deleted = { name, deletedAt: labelHistory[0].lastModified, deletedBy: 'a plain S3 delete' }
    }
    return { label, deleted }
  }

  /**
   * The histories of every label object, by name, from one listing of the
   * prefix. Anything else under the prefix makes the whole store corrupt:
   * a store mixed with data is refused for writes as for reads.
   */
  private async index (): Promise<Map<string, Slot>> {
    const histories = await this.histories(this.prefix)
    const names = new Map<string, Slot>()
    for (const [key, history] of histories) {
      const m = LAYOUT.exec(key.slice(this.prefix.length))
      if (m === null || !validName(m[1])) {
        throw corrupt(this.where, `it holds s3://${this.bucket}/${key}, which is not part of a label ` +
          '(the store\'s prefix must hold labels only)')
      }
      const slot = names.get(m[1]) ?? {}
      slot[m[2] as 'label' | 'deleted'] = history
      names.set(m[1], slot)
    }
    return names
  }

  /** Every label in the store, live and deleted. */
  private async all (): Promise<StoredLabel[]> {
    const names = await this.index()
    const entries = await Promise.all([...names].map(async ([name, h]) => await this.entry(name, h.label, h.deleted)))
    return entries.filter((e): e is StoredLabel => e !== undefined)
  }

  /** One label, after checking the whole store's layout (before a write). */
  private async checkedGet (name: string): Promise<StoredLabel | undefined> {
    const slot = (await this.index()).get(name)
    return slot === undefined ? undefined : await this.entry(name, slot.label, slot.deleted)
  }

  async list (bucket?: string): Promise<Label[]> {
    return (await this.all()).filter(e => e.deleted === undefined && (bucket === undefined || e.label.bucket === bucket))
      .map(e => e.label).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  }

  async get (name: string): Promise<StoredLabel | undefined> {
    const dir = this.prefix + name + '/'
    const histories = await this.histories(dir)
    for (const key of histories.keys()) {
      if (key !== dir + LABEL_FILE && key !== dir + DELETED_FILE) {
        throw corrupt(this.where, `it holds s3://${this.bucket}/${key}, which is not part of a label`)
      }
    }
    return await this.entry(name, histories.get(dir + LABEL_FILE), histories.get(dir + DELETED_FILE))
  }

  private async requireVersioning (): Promise<void> {
    const state = await this.call(async () => await this.s3.getVersioning(this.bucket))
    if (state !== 'Enabled') {
      throw new InfinError('NotVersioned', `label store ${this.where}: bucket '${this.bucket}' does not have versioning ` +
        `enabled (${state}); the shared store relies on versions so that no label is ever overwritten. ` +
        `Run: infinstor enable ${this.bucket}`)
    }
  }

  /** Writes a new object only if none exists; Conflict when the server says it does. */
  private async putNew (key: string, record: object): Promise<string | undefined> {
    const body = JSON.stringify(record, null, 2) + '\n'
    const out = await this.call(async () => await this.s3.put(this.bucket, key, body,
      { ifNoneMatch: true, contentType: 'application/json' }))
    return out.versionId
  }

  async create (label: Label): Promise<void> {
    await this.requireVersioning()
    const taken = await this.checkedGet(label.name)
    if (taken !== undefined) throw new InfinError('Conflict', takenMessage(taken))
    const key = this.prefix + label.name + '/' + LABEL_FILE
    let versionId: string | undefined
    try {
      versionId = await this.putNew(key, labelRecord(label))
    } catch (e) {
      if (!(e instanceof InfinError && e.code === 'Conflict')) throw e
      const winner = await this.get(label.name)
      throw new InfinError('Conflict', winner === undefined
        ? `label '${label.name}' is being created by someone else at this moment; check with 'infinstor label show ${label.name}'`
        : `${takenMessage(winner)} (created by a concurrent command)`)
    }
    if (versionId === undefined) {
      throw new InfinError('Unavailable', `label store ${this.where}: the server returned no version id for ${key}, ` +
        'so it cannot be proven that no concurrent creator wrote the same name')
    }
    // Servers that ignore If-None-Match let a racing creator through: the
    // first version decides, exactly as readers decide.
    const history = (await this.histories(key)).get(key) ?? []
    if (this.oldest(key, history).versionId !== versionId) {
      const winner = await this.get(label.name)
      throw new InfinError('Conflict', `${winner === undefined ? `label '${label.name}' was taken` : takenMessage(winner)} ` +
        '(a concurrent command wrote it first; your write is kept only as an ignored later version)')
    }
  }

  async remove (name: string, by: string): Promise<StoredLabel> {
    await this.requireVersioning()
    const found = await this.checkedGet(name)
    if (found === undefined || found.deleted !== undefined) throw notLive(name, found, this.where)
    const deleted: Tombstone = { name, deletedAt: Date.now(), deletedBy: by }
    try {
      await this.putNew(this.prefix + name + '/' + DELETED_FILE, tombstoneRecord(deleted))
    } catch (e) {
      if (e instanceof InfinError && e.code === 'Conflict') throw notLive(name, await this.get(name), this.where)
      throw e
    }
    return { label: found.label, deleted }
  }
}

function validName (name: string): boolean {
  try {
    checkLabelName(name)
    return true
  } catch {
    return false
  }
}

function objectWhere (bucket: string, key: string, versionId: string): string {
  return `object s3://${bucket}/${key} (version ${versionId})`
}
