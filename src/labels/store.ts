import type { Label, StoredLabel } from '../core/label-record.js'

/**
 * Where labels are kept. Stores only keep records; the checks that make a
 * label meaningful (name, bucket, settled time) happen in Labels first.
 *
 * Labels are immutable: there is no update, and a removed label stays in
 * the store as deleted, so its name can never be taken again.
 */
export interface LabelStore {
  /** The store's location for messages: a file path or s3://bucket/prefix/. */
  readonly where: string
  /** Live (not deleted) labels, sorted by name; of one bucket when given. */
  list: (bucket?: string) => Promise<Label[]>
  /** The label under this name, live or deleted; undefined if the name was never used. */
  get: (name: string) => Promise<StoredLabel | undefined>
  /** Adds a label; Conflict if its name is taken (live or deleted), also by a concurrent creator. */
  create: (label: Label) => Promise<void>
  /** Marks a live label deleted; NotFound if there is none by that name. */
  remove: (name: string, by: string) => Promise<StoredLabel>
}
