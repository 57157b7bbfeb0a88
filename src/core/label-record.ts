import { InfinError } from './errors.js'
import { checkBucketName } from './s3url.js'
import { formatInstant, formatSpec, looksLikeTime, parseInstant, parseSpec, type TimeSpec } from './timespec.js'

/**
 * A label: an immutable name for a bucket, a path in it, and a time (a
 * snapshot) or a window (a slice). Stored as JSON in a label store; this
 * module owns that JSON form and refuses records it cannot trust.
 */
export type LabelSpec = Extract<TimeSpec, { kind: 'at' | 'slice' }>

export interface Label {
  name: string
  bucket: string
  /** '' (the whole bucket) or a prefix ending in '/': the root of the label's view. */
  prefix: string
  spec: LabelSpec
  createdAt: number
  /** user@host of whoever created it. */
  creator: string
  description?: string
}

/** What is kept of a deleted label, so that its name is never silently reused. */
export interface Tombstone {
  name: string
  deletedAt: number
  deletedBy: string
}

/** A label as a store holds it: possibly deleted, but never forgotten. */
export interface StoredLabel {
  label: Label
  deleted?: Tombstone
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
export const MAX_DESCRIPTION = 4096

/** Returns the name, or says exactly why it cannot be a label name. */
export function checkLabelName (name: string): string {
  if (looksLikeTime(name)) {
    throw new InfinError('BadSpec',
      `'${name}' looks like a time, so it cannot be a label name (s3://bucket@${name} would read it as a time); ` +
      `choose a name that does not start like a date, 'tm' + digits or 'latest', and has no '..'`)
  }
  if (!NAME.test(name)) {
    throw new InfinError('BadSpec',
      `'${name}' is not a valid label name: use 1 to 128 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit`)
  }
  return name
}

/** The latest moment a label looks at: it must be settled history when the label is made. */
export function labelHorizon (spec: LabelSpec): number {
  return spec.kind === 'at' ? spec.t : spec.to
}

/** `s3://bucket/prefix@spec`: what a label means, in the CLI's own path syntax. */
export function labelTargetText (label: Label): string {
  return `s3://${label.bucket}/${label.prefix}@${formatSpec(label.spec)}`
}

/**
 * Where `/@labels/NAME` points in a mount, relative to the mount root:
 * `bucket/@spec/prefix` (raw S3 segments; the mount maps odd ones).
 */
export function labelLinkPath (label: Label): string {
  return `${label.bucket}/@${formatSpec(label.spec)}${label.prefix === '' ? '' : '/' + label.prefix.slice(0, -1)}`
}

/** Why a name that was deleted cannot be used: says when, by whom, and what it named. */
export function deletedMessage (found: StoredLabel): string {
  const { label, deleted } = found
  return `label '${label.name}' was deleted on ${formatInstant(deleted?.deletedAt ?? 0)} by ${deleted?.deletedBy ?? '?'} ` +
    `(it named ${labelTargetText(label)})`
}

export function takenMessage (found: StoredLabel): string {
  const { label } = found
  if (found.deleted !== undefined) {
    return `${deletedMessage(found)}; a deleted label name is never reused, so old references cannot silently ` +
      'change meaning: choose another name'
  }
  return `label '${label.name}' already exists: ${labelTargetText(label)}, created ${formatInstant(label.createdAt)} by ${label.creator}`
}

/** The error for a name with no live label: unknown, or deleted. */
export function notLive (name: string, found: StoredLabel | undefined, where: string): InfinError {
  if (found?.deleted !== undefined) return new InfinError('NotFound', deletedMessage(found))
  return new InfinError('NotFound', `no label named '${name}' in the label store ${where}`)
}

// ---- the stored JSON form --------------------------------------------------

export interface LabelRecord {
  name: string
  bucket: string
  prefix: string
  /** The canonical spec text: one instant, or `from..to`. */
  spec: string
  createdAt: string
  creator: string
  description?: string
}

export interface TombstoneRecord {
  name: string
  deletedAt: string
  deletedBy: string
}

export function labelRecord (label: Label): LabelRecord {
  const r: LabelRecord = {
    name: label.name,
    bucket: label.bucket,
    prefix: label.prefix,
    spec: formatSpec(label.spec),
    createdAt: formatInstant(label.createdAt),
    creator: label.creator
  }
  if (label.description !== undefined) r.description = label.description
  return r
}

/** A label as the CLI and the HTTP API show it: its stored record plus what it points at. */
export function labelJson (label: Label): LabelRecord & { target: string } {
  return { ...labelRecord(label), target: labelTargetText(label) }
}

export function tombstoneRecord (t: Tombstone): TombstoneRecord {
  return { name: t.name, deletedAt: formatInstant(t.deletedAt), deletedBy: t.deletedBy }
}

/** Parses stored JSON text; empty or cut-off text is corrupt, never "nothing". */
export function parseStoredJson (text: string, where: string): unknown {
  if (text.trim() === '') throw corrupt(where, 'it is empty (a partly written store?)')
  try {
    return JSON.parse(text)
  } catch (e) {
    throw corrupt(where, `it is not valid JSON (${(e as Error).message})`)
  }
}

export function corrupt (where: string, why: string): InfinError {
  return new InfinError('Corrupt', `label store ${where} is corrupt: ${why}. Nothing was changed; ` +
    'restore it from a backup (or an earlier S3 version) rather than deleting it, or labels that others rely on are lost')
}

type Fields = Record<string, unknown>

function object (value: unknown, where: string, what: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt(where, `${what} is not a JSON object`)
  return value as Fields
}

function text (o: Fields, field: string, where: string, what: string): string {
  const v = o[field]
  if (typeof v !== 'string') throw corrupt(where, `${what} has no text field '${field}'`)
  return v
}

function onlyFields (o: Fields, allowed: string[], where: string, what: string): void {
  const extra = Object.keys(o).filter(k => !allowed.includes(k))
  if (extra.length > 0) throw corrupt(where, `${what} has unknown fields: ${extra.join(', ')}`)
}

function canonicalInstant (o: Fields, field: string, where: string, what: string): number {
  const s = text(o, field, where, what)
  let t: number
  try {
    t = parseInstant(s)
  } catch {
    throw corrupt(where, `${what} has a bad ${field} '${s}'`)
  }
  if (formatInstant(t) !== s) throw corrupt(where, `${what} has ${field} '${s}' in a non-canonical form`)
  return t
}

export function parseLabelRecord (value: unknown, where: string): Label {
  const o = object(value, where, 'a label record')
  const what = typeof o.name === 'string' ? `label '${o.name}'` : 'a label record'
  onlyFields(o, ['name', 'bucket', 'prefix', 'spec', 'createdAt', 'creator', 'description'], where, what)
  const name = text(o, 'name', where, what)
  try {
    checkLabelName(name)
    checkBucketName(text(o, 'bucket', where, what))
  } catch (e) {
    if (e instanceof InfinError && e.code === 'Corrupt') throw e
    throw corrupt(where, `${what}: ${(e as Error).message}`)
  }
  const prefix = text(o, 'prefix', where, what)
  if (prefix !== '' && !prefix.endsWith('/')) throw corrupt(where, `${what} has a prefix that does not end in '/'`)
  const specText = text(o, 'spec', where, what)
  let spec
  try {
    spec = parseSpec(specText)
  } catch {
    throw corrupt(where, `${what} has a bad spec '${specText}'`)
  }
  if ((spec.kind !== 'at' && spec.kind !== 'slice') || formatSpec(spec) !== specText) {
    throw corrupt(where, `${what} has spec '${specText}', which is not a canonical time or slice`)
  }
  const creator = text(o, 'creator', where, what)
  if (creator === '') throw corrupt(where, `${what} has an empty creator`)
  const label: Label = {
    name, bucket: o.bucket as string, prefix, spec, createdAt: canonicalInstant(o, 'createdAt', where, what), creator
  }
  if (o.description !== undefined) label.description = text(o, 'description', where, what)
  return label
}

export function parseTombstoneRecord (value: unknown, where: string): Tombstone {
  const o = object(value, where, 'a deletion record')
  const what = typeof o.name === 'string' ? `the deletion record of '${o.name}'` : 'a deletion record'
  onlyFields(o, ['name', 'deletedAt', 'deletedBy'], where, what)
  const name = text(o, 'name', where, what)
  if (!NAME.test(name)) throw corrupt(where, `${what} has an invalid name`)
  return { name, deletedAt: canonicalInstant(o, 'deletedAt', where, what), deletedBy: text(o, 'deletedBy', where, what) }
}

// ---- the local store's file ------------------------------------------------

export const LOCAL_FORMAT = 'infinstor-labels/1'

export interface LocalFile {
  format: typeof LOCAL_FORMAT
  labels: LabelRecord[]
  /** Deleted labels keep their record, so a name stays taken and its meaning stays known. */
  deleted: Array<{ label: LabelRecord, deleted: TombstoneRecord }>
}

export function localFileText (entries: StoredLabel[]): string {
  const file: LocalFile = {
    format: LOCAL_FORMAT,
    labels: entries.filter(e => e.deleted === undefined).map(e => labelRecord(e.label)),
    deleted: entries.filter(e => e.deleted !== undefined)
      .map(e => ({ label: labelRecord(e.label), deleted: tombstoneRecord(e.deleted as Tombstone) }))
  }
  return JSON.stringify(file, null, 2) + '\n'
}

/** Parses the local store file; any doubt about it is an error, not an empty store. */
export function parseLocalFile (content: string, where: string): StoredLabel[] {
  const o = object(parseStoredJson(content, where), where, 'the file')
  if (o.format !== LOCAL_FORMAT) throw corrupt(where, `its format is ${JSON.stringify(o.format)}, not '${LOCAL_FORMAT}'`)
  if (!Array.isArray(o.labels) || !Array.isArray(o.deleted)) throw corrupt(where, "it lacks the 'labels' or 'deleted' list")
  const out: StoredLabel[] = o.labels.map(r => ({ label: parseLabelRecord(r, where) }))
  for (const d of o.deleted) {
    const entry = object(d, where, 'a deleted entry')
    const label = parseLabelRecord(entry.label, where)
    const deleted = parseTombstoneRecord(entry.deleted, where)
    if (deleted.name !== label.name) throw corrupt(where, `the deletion record of '${label.name}' names '${deleted.name}'`)
    out.push({ label, deleted })
  }
  const seen = new Set<string>()
  for (const e of out) {
    if (seen.has(e.label.name)) throw corrupt(where, `label '${e.label.name}' appears twice`)
    seen.add(e.label.name)
  }
  return out
}
