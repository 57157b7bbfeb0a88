import { InfinError } from '../core/errors.js'
import type { Handler, Reply, Router } from '../server/http.js'
import { guessMimetype } from '../server/mime.js'
import { contentDisposition, UNTRUSTED_CONTENT } from '../server/untrusted.js'
import { fileStream, readAll } from './bytes.js'
import { bareModel, directoryModel, fileModel, naturalType, sha256, type ContentsModel } from './models.js'
import { parseGetOptions, splitPath, type GetOptions } from './query.js'
import type { TimeTree } from '../tree/time-tree.js'
import { listEntries, lookupEntry, type ContentsEntry } from './entries.js'

type FileEntry = Extract<ContentsEntry, { kind: 'file' }>

export interface ContentsOptions {
  /** Largest file returned inline (or hashed); bigger ones get a 413. */
  maxBytes: number
  /** Where the same tree is mounted, to point users at the plain path. */
  mountPoint: string
}

const CONTENTS = /^\/api\/contents(?:\/(.*))?$/
const FILES = /^\/files(?:\/(.*))?$/

function join (path: readonly string[]): string {
  return path.join('/')
}

function mib (n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`
}

/**
 * A path segment like `@2024-13-45` names nothing in the tree: to a
 * contents client that is a missing path (404), whatever the reason.
 */
function asPathError (e: unknown): unknown {
  if (e instanceof InfinError && (e.code === 'BadSpec' || e.code === 'FutureTime')) {
    return new InfinError('NotFound', e.message, { cause: e })
  }
  return e
}

async function lookup (tree: TimeTree, path: readonly string[]): Promise<ContentsEntry> {
  try {
    return await lookupEntry(tree, path)
  } catch (e) {
    throw asPathError(e)
  }
}

const readOnly: Handler = async req => {
  throw new InfinError('ReadOnly',
    `the InfinStor tree is read-only (it shows S3 as it was at a time): ${req.method} is refused. ` +
    'To change data, write to the bucket itself; to name a view, create a label')
}

/**
 * The read-only Jupyter Contents API and /files downloads over the
 * time-travel tree. Every write method is refused with 403.
 */
export function addContentsRoutes (router: Router, tree: TimeTree, opts: ContentsOptions): void {
  const mountPath = (path: readonly string[]): string => `${opts.mountPoint.replace(/\/+$/, '')}/${join(path)}`

  async function fileContents (file: FileEntry, path: string[], o: GetOptions): Promise<ContentsModel> {
    const type = o.type ?? naturalType(file)
    if (type === 'directory') throw new InfinError('Usage', `${join(path)} is not a directory`)
    if (!o.content && !o.hash) return bareModel(file, join(path), type)
    if (file.size > opts.maxBytes) {
      throw new InfinError('TooLarge',
        `${join(path)} is ${mib(file.size)}, more than the ${mib(opts.maxBytes)} the contents API ` +
        `returns inline (setting contents-max-bytes). Use the plain path in code instead: ${mountPath(path)}`)
    }
    const bytes = await readAll(tree, path, file.size)
    const model = o.content ? fileModel(file, join(path), bytes, o) : bareModel(file, join(path), type)
    return o.hash ? { ...model, hash: sha256(bytes), hash_algorithm: 'sha256' } : model
  }

  async function dirContents (dir: ContentsEntry, path: string[], o: GetOptions): Promise<ContentsModel> {
    if (o.type !== undefined && o.type !== 'directory') {
      throw new InfinError('Usage', `${join(path) || 'the root'} is a directory, not a ${o.type}`)
    }
    const extra = o.hash ? { hash: null, hash_algorithm: null } : {}
    if (!o.content) return { ...bareModel(dir, join(path), 'directory'), ...extra }
    const children = (await listEntries(tree, path)).map(entry => ({ entry, path: join([...path, entry.name]) }))
    // A view before the bucket's history begins is empty, not missing: the model says why (a field Jupyter ignores).
    const history = await tree.historyNote(path)
    return { ...directoryModel(dir, join(path), children), ...extra, ...(history === undefined ? {} : { infinstor_history: history }) }
  }

  /**
   * Whether `X/checkpoints` asks for X's checkpoints rather than an entry
   * named checkpoints: Jupyter's URLs overlap, and only a directory can
   * hold such an entry, so a directory's real entry wins.
   */
  async function asksForCheckpoints (path: string[]): Promise<boolean> {
    if (path.length < 2 || path[path.length - 1] !== 'checkpoints') return false
    const parent = await lookupOrUndefined(path.slice(0, -1))
    if (parent === undefined) return false
    return parent.kind === 'file' || await lookupOrUndefined(path) === undefined
  }

  async function lookupOrUndefined (path: string[]): Promise<ContentsEntry | undefined> {
    try {
      return await lookup(tree, path)
    } catch (e) {
      if (e instanceof InfinError && e.code === 'NotFound') return undefined
      throw e
    }
  }

  router.get(CONTENTS, async (req): Promise<Reply> => {
    const path = splitPath(req.rawParams[0])
    const o = parseGetOptions(req.url.searchParams)
    // Nothing is ever edited here, so there are never checkpoints.
    if (await asksForCheckpoints(path)) return { json: [] }
    const entry = await lookup(tree, path)
    const model = entry.kind === 'dir' ? await dirContents(entry, path, o) : await fileContents(entry, path, o)
    return { json: model }
  })

  router.get(FILES, async (req): Promise<Reply> => {
    const path = splitPath(req.rawParams[0])
    const entry = await lookup(tree, path)
    if (entry.kind === 'dir') throw new InfinError('NotFound', `${join(path) || 'the root'} is a directory; only files can be downloaded`)
    const disposition = req.url.searchParams.get('download') === '1' ? 'attachment' : 'inline'
    return {
      stream: fileStream(tree, path, entry.size),
      length: entry.size,
      type: guessMimetype(entry.name) ?? 'application/octet-stream',
      headers: { ...UNTRUSTED_CONTENT, 'Content-Disposition': contentDisposition(disposition, entry.name) }
    }
  })

  router.add('*', CONTENTS, readOnly)
  router.add('*', FILES, readOnly)
}
