import { hostname, userInfo } from 'node:os'
import { InfinError } from '../core/errors.js'
import { checkLabelName, labelHorizon, MAX_DESCRIPTION, notLive, type Label, type StoredLabel } from '../core/label-record.js'
import { dirPrefix, parseTarget } from '../core/s3url.js'
import { formatInstant, formatSpec } from '../core/timespec.js'
import type { Engine, LabelLookup, LabelTarget } from '../engine/engine.js'
import type { LabelStore } from './store.js'

export interface LabelsOptions {
  /** A label may only name history older than the server's time minus this. */
  settleMarginMs: number
  /** How long a lookup or listing may be reused: a label can be deleted meanwhile. */
  cacheTtlMs: number
}

/** Date headers drop the fraction of a second, so serverNow may run up to this far ahead. */
const CLOCK_RESOLUTION_MS = 1000

/** Who is acting, as user@host, for a label's creator and a deletion's author. */
export function whoAmI (): string {
  let user: string
  try {
    user = userInfo().username
  } catch {
    user = process.env.USER ?? 'unknown'
  }
  return `${user}@${hostname()}`
}

/**
 * Labels as every surface uses them: the CLI, the mount and the HTTP
 * servers. It checks what a store cannot (names, buckets, settled times),
 * and it is the engine's label lookup (given to the engine when it is
 * built), so `@NAME` works wherever a time does. Creating a label looks at
 * the view it names, so `create` takes the engine that resolves views.
 */
export class Labels implements LabelLookup {
  readonly store: LabelStore
  private readonly opts: LabelsOptions
  private readonly cache = new Map<string, { at: number, value: Promise<unknown> }>()

  constructor (store: LabelStore, opts: LabelsOptions) {
    this.store = store
    this.opts = opts
  }

  private async cached<T> (key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key)
    if (hit !== undefined && Date.now() - hit.at < this.opts.cacheTtlMs) return await (hit.value as Promise<T>)
    const value = load()
    this.cache.set(key, { at: Date.now(), value })
    value.catch(() => this.cache.delete(key))
    return await value
  }

  /** Live labels, sorted by name; only one bucket's when given. For `/<bucket>/` in a mount. */
  async list (bucket?: string): Promise<Label[]> {
    return await this.cached(`list\0${bucket ?? ''}`, async () => await this.store.list(bucket))
  }

  /** The live label of this name, or NotFound saying whether it never existed or was deleted. */
  async show (name: string): Promise<Label> {
    return await this.cached(`show\0${name}`, async () => {
      const found = await this.store.get(name)
      if (found === undefined || found.deleted !== undefined) throw notLive(name, found, this.store.where)
      return found.label
    })
  }

  /** The engine's hook: what `@NAME` means. */
  async resolve (name: string): Promise<LabelTarget> {
    const label = await this.show(name)
    return { bucket: label.bucket, prefix: label.prefix, spec: label.spec }
  }

  /**
   * Creates a label for `s3://bucket/path@spec`. The spec may be a time, a
   * slice, or another label (the new label then copies its meaning).
   */
  async create (engine: Engine, name: string, target: string, description?: string): Promise<Label> {
    checkLabelName(name)
    if (description !== undefined && description.length > MAX_DESCRIPTION) {
      throw new InfinError('Usage', `a label description has at most ${MAX_DESCRIPTION} characters`)
    }
    const t = parseTarget(target)
    if (t.spec === undefined) {
      throw new InfinError('Usage', `'${target}' has no time: a label needs s3://bucket/path@TIME or @FROM..TO`)
    }
    const view = await engine.view(t.bucket, t.spec)
    if (view.spec.kind === 'latest') {
      throw new InfinError('BadSpec', 'a label names a fixed time or slice, never \'latest\' (its meaning would change); ' +
        `give a past time, e.g. s3://${t.bucket}/${t.key}@${formatInstant(Math.floor(Date.now() / 60_000 - 1) * 60_000)}`)
    }
    const settledUntil = (await engine.serverNow(t.bucket)) - CLOCK_RESOLUTION_MS - this.opts.settleMarginMs
    const horizon = labelHorizon(view.spec)
    if (horizon > settledUntil) {
      throw new InfinError('FutureTime', `'${t.spec}' (${formatSpec(view.spec)}) is too recent to label: history after ` +
        `${formatInstant(settledUntil)} can still change (settle margin ${this.opts.settleMarginMs} ms). ` +
        `Label an earlier time, or wait ${Math.ceil((horizon - settledUntil) / 1000)} s`)
    }
    const prefix = dirPrefix(view.root + t.key)
    if (!(await engine.dirExists(view, prefix))) {
      throw new InfinError('NotFound', `s3://${t.bucket}/${prefix} holds nothing at ${view.name}; ` +
        'a label names a folder (or the whole bucket) with files in its view')
    }
    const label: Label = { name, bucket: t.bucket, prefix, spec: view.spec, createdAt: Date.now(), creator: whoAmI() }
    if (description !== undefined) label.description = description
    await this.store.create(label)
    this.cache.clear()
    return label
  }

  /** Deletes a label; its name stays taken for good. */
  async remove (name: string): Promise<StoredLabel> {
    const removed = await this.store.remove(name, whoAmI())
    this.cache.clear()
    return removed
  }
}
