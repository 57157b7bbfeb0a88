import { createHash } from 'node:crypto'
import { InfinError } from '../core/errors.js'
import type { HistoryNote } from '../core/history-note.js'
import { guessMimetype } from '../server/mime.js'
import type { FileFormat, GetOptions, ModelType } from './query.js'
import type { ContentsEntry } from './entries.js'

/** A Jupyter contents model (the fields JupyterLab's Drive validates, and more). */
export interface ContentsModel {
  name: string
  path: string
  type: ModelType
  writable: false
  created: string
  last_modified: string
  mimetype: string | null
  size: number | null
  format: 'json' | FileFormat | null
  content: unknown
  hash?: string | null
  hash_algorithm?: string | null
  /** InfinStor's own: set on a directory of a view before its bucket's history begins. */
  infinstor_history?: HistoryNote
}


export function isNotebookName (name: string): boolean {
  return name.toLowerCase().endsWith('.ipynb')
}

/** The model type an entry has when the client names none (Jupyter's rule). */
export function naturalType (entry: ContentsEntry): ModelType {
  if (entry.kind === 'dir') return 'directory'
  return isNotebookName(entry.name) ? 'notebook' : 'file'
}

function iso (ms: number): string {
  return new Date(ms).toISOString()
}

/** A model without content: what a directory lists, and what content=0 returns. */
export function bareModel (entry: ContentsEntry, path: string, type: ModelType = naturalType(entry)): ContentsModel {
  const base = { name: entry.name, path, type, writable: false as const, content: null, format: null }
  if (entry.kind === 'dir') {
    const t = iso(entry.mtime)
    return { ...base, created: t, last_modified: t, mimetype: null, size: null }
  }
  const t = iso(entry.mtime)
  const mimetype = type === 'notebook' ? null : guessMimetype(entry.name) ?? null
  return { ...base, created: t, last_modified: t, mimetype, size: entry.size }
}

/** A directory model with its children listed (each without content). */
export function directoryModel (entry: ContentsEntry, path: string, children: ReadonlyArray<{ entry: ContentsEntry, path: string }>): ContentsModel {
  return {
    ...bareModel(entry, path, 'directory'),
    format: 'json',
    content: children.map(c => bareModel(c.entry, c.path))
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function decodeText (bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes)
  } catch {
    return undefined
  }
}

/** Only what JupyterLab needs to open a notebook; anything less is not one. */
function parseNotebook (bytes: Uint8Array, path: string): unknown {
  const text = decodeText(bytes)
  let nb: unknown
  try {
    nb = text === undefined ? undefined : JSON.parse(text)
  } catch {}
  const ok = typeof nb === 'object' && nb !== null && !Array.isArray(nb) &&
    typeof (nb as { nbformat?: unknown }).nbformat === 'number' &&
    (nb as { nbformat: number }).nbformat >= 4 &&
    Array.isArray((nb as { cells?: unknown }).cells)
  if (!ok) {
    throw new InfinError('Usage',
      `${path} is not a readable notebook (not nbformat 4 JSON); open it as a file instead (type=file)`)
  }
  return nb
}

/**
 * A file or notebook model with its content, from the file's bytes.
 * Follows Jupyter: text when the bytes are UTF-8 and no format is asked,
 * else base64; a format that cannot be given is a 400.
 */
export function fileModel (entry: ContentsEntry, path: string, bytes: Buffer, opts: GetOptions): ContentsModel {
  const type = opts.type ?? naturalType(entry)
  const model = bareModel(entry, path, type)
  if (type === 'notebook') {
    // Jupyter ignores `format` for notebooks: they are always JSON.
    return { ...model, format: 'json', content: parseNotebook(bytes, path) }
  }
  let format = opts.format
  let text: string | undefined
  if (format !== 'base64') {
    text = decodeText(bytes)
    if (text === undefined && format === 'text') {
      throw new InfinError('Usage', `${path} is not UTF-8 encoded text; ask for format=base64`)
    }
    format = text === undefined ? 'base64' : 'text'
  }
  const fallback = format === 'text' ? 'text/plain' : 'application/octet-stream'
  return {
    ...model,
    format,
    mimetype: guessMimetype(entry.name) ?? fallback,
    content: format === 'text' ? text : bytes.toString('base64')
  }
}

export function sha256 (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}
