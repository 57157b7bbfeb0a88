import { URLExt } from '@jupyterlab/coreutils'
import type { FileBrowserModel } from '@jupyterlab/filebrowser'
import type { Contents } from '@jupyterlab/services'
import { Signal, type ISignal } from '@lumino/signaling'
import { formatInstant, formatSpec } from '../../core/timespec.js'
import { ApiError, type InfinStorClient, type Label, type LogEntry } from './api.js'
import type { LabConfig } from './config.js'
import { diagnose, diagnoseContents, diagnoseExtension, type Health, type Where } from './health.js'
import { localText } from './localtime.js'
import { mountPath, parseViewPath, specOf, viewPath, type ViewPath } from './paths.js'

export const DRIVE_NAME = 'InfinStor'

const RECHECK_MS = 5000

/** A connection to try: the current one, or one typed into the setup form. */
export interface Connection { client: InfinStorClient, where: Where, viaExtension: boolean }

export interface ModelOptions {
  contents: Contents.IManager
  config: () => LabConfig
  /** The connection for a configuration (the current one follows the settings). */
  connect: (config?: LabConfig) => Connection
}

/** A bucket's history bounds, for the pickers. */
export interface Bounds {
  versioning: string
  /** The earliest versioned write: before it, overwritten or deleted data is gone. */
  horizon?: number
}

/** The message of a failed contents or API call, in the server's words. */
function messageOf (e: unknown): string {
  return e instanceof Error && e.message !== '' ? e.message : String(e)
}

/**
 * What the InfinStor panel shows, apart from any widget: the server's
 * health, the buckets, the current bucket's labels and history bounds, and
 * the view. The view is read from the file browser's path, which stays the
 * one source of truth; choosing a view means navigating the browser.
 */
export class InfinStorModel {
  private readonly opts: ModelOptions
  private browser: FileBrowserModel | undefined
  private _health: Health = { state: 'checking' }
  private _buckets: string[] = []
  private _labels: Label[] = []
  private _labelsError: string | undefined
  private labelsFor: string | undefined
  private readonly bounds = new Map<string, Bounds>()
  private _navError: string | undefined
  /** Counts navigations, so that one overtaken by a later one does not land after it. */
  private navigations = 0
  private recheck: ReturnType<typeof setTimeout> | undefined
  private checking: Promise<void> | undefined
  private readonly _changed = new Signal<this, void>(this)

  constructor (opts: ModelOptions) {
    this.opts = opts
  }

  get changed (): ISignal<this, void> { return this._changed }
  get health (): Health { return this._health }
  get buckets (): readonly string[] { return this._buckets }
  get labels (): readonly Label[] { return this._labels }
  get labelsError (): string | undefined { return this._labelsError }
  get config (): LabConfig { return this.opts.config() }
  /** Why the last navigation failed, in the server's words, until the next one succeeds. */
  get navError (): string | undefined { return this._navError }

  /**
   * Whether the drive may talk to the server. Until the server checks out,
   * requests would only fail, and JupyterLab answers failed listings with
   * dialogs, one per poll.
   */
  get usable (): boolean { return this._health.state === 'ok' }

  /** Where code reads the same tree: the running mount the server extension reports, else the setting. */
  get mountPoint (): string {
    const h = this._health
    return (h.state === 'ok' ? h.extension?.mount?.mountpoint : undefined) ?? this.config.mountPoint
  }

  /** Whether kernels have the helper (`import infinstor`): it comes with the server extension's package. */
  get hasHelper (): boolean {
    return this._health.state === 'ok' && this._health.extension !== undefined
  }

  /** The drive-local path the browser shows. */
  get path (): string {
    return this.browser === undefined ? '' : this.opts.contents.localPath(this.browser.path)
  }

  get view (): ViewPath { return parseViewPath(this.path) }

  /** The view's canonical spec, or undefined at the root or in a bucket's top level. */
  get canonicalSpec (): string | undefined {
    const spec = specOf(this.view.spec)
    return spec === undefined ? undefined : formatSpec(spec)
  }

  /** The label on view, when the view is one. */
  get label (): Label | undefined {
    const spec = specOf(this.view.spec)
    return spec?.kind === 'label' ? this._labels.find(l => l.name === spec.name) : undefined
  }

  /** The history bounds of the bucket on view, once known. */
  get bucketBounds (): Bounds | undefined {
    return this.bounds.get(this.view.bucket)
  }

  attach (browser: FileBrowserModel): void {
    this.browser = browser
    browser.pathChanged.connect(() => { void this.onPath() })
    // The browser polls its directory: a failure there is how a daemon that
    // went away is noticed. While the panel shows a problem the drive is
    // closed (see `usable`) and the model's own recheck finds the way back.
    browser.connectionFailure.connect((_, error) => {
      this._navError = messageOf(error)
      this._changed.emit()
      if (this._health.state === 'ok') void this.check()
    })
  }

  /** Probes the server; on success reloads the buckets and labels. */
  async check (): Promise<void> {
    this.checking ??= this.runCheck().finally(() => { this.checking = undefined })
    await this.checking
  }

  /** What a connection's server says of itself: the extension's health, or a daemon's info, then its contents API. */
  async diagnose (connection: Connection): Promise<Health> {
    const { client, where } = connection
    let health = connection.viaExtension
      ? diagnoseExtension(await client.probe('health'), URLExt.join(where.baseUrl, 'health'))
      : diagnose(await client.probe('api/infinstor/info'), where)
    if (health.state === 'ok') {
      const contents = diagnoseContents(await client.probe('api/contents?content=0'), health.info, where)
      if (contents.state !== 'ok') health = contents
    }
    return health
  }

  private async runCheck (): Promise<void> {
    clearTimeout(this.recheck)
    const was = this._health.state
    const health = await this.diagnose(this.opts.connect())
    this._health = health
    if (health.state === 'ok') {
      this.bounds.clear()
      await this.loadBuckets()
      await this.loadLabels(true)
      await this.loadBounds()
      if (was !== 'ok') await this.browser?.cd('.')
    } else if (health.state === 'problem') {
      // While the server is away, keep looking, so the panel recovers by itself.
      this.recheck = setTimeout(() => { void this.check() }, RECHECK_MS)
    }
    this._changed.emit()
  }

  /** Re-probes, re-lists, and reloads the labels: the toolbar's Refresh. */
  async refresh (): Promise<void> {
    await this.check()
    if (this._health.state === 'ok') await this.browser?.refresh()
  }

  private async loadBuckets (): Promise<void> {
    try {
      const root = await this.opts.contents.get(`${DRIVE_NAME}:`, { content: true })
      const items = (root.content ?? []) as Contents.IModel[]
      this._buckets = items.filter(i => i.type === 'directory').map(i => i.name).sort()
    } catch {
      // The health banner explains failures; an empty chooser is enough here.
      this._buckets = []
    }
  }

  private async loadLabels (force = false): Promise<void> {
    const bucket = this.view.bucket
    if (!force && bucket === this.labelsFor) return
    this.labelsFor = bucket
    this._labels = []
    this._labelsError = undefined
    if (bucket === '') return
    try {
      this._labels = await this.opts.connect().client.labels(bucket)
    } catch (e) {
      this._labelsError = messageOf(e)
    }
  }

  /** The bucket's history bounds, once per bucket (it is a listing of the whole bucket). */
  private async loadBounds (): Promise<void> {
    const bucket = this.view.bucket
    if (bucket === '' || this.bounds.has(bucket)) return
    try {
      const s = await this.opts.connect().client.summary(bucket)
      this.bounds.set(bucket, { versioning: s.versioning, horizon: s.horizon === null ? undefined : Date.parse(s.horizon) })
    } catch {
      // Bounds are a hint: without them the pickers are merely unbounded.
    }
  }

  private async onPath (): Promise<void> {
    this._navError = undefined
    this._changed.emit()
    const before = this.labelsFor
    const hadBounds = this.bounds.has(this.view.bucket)
    await this.loadLabels()
    await this.loadBounds()
    if (this.labelsFor !== before || hadBounds !== this.bounds.has(this.view.bucket)) this._changed.emit()
  }

  /** Navigates within the drive: cd resolves against the browser's drive. */
  private async cd (localPath: string): Promise<void> {
    await this.browser?.cd('/' + localPath)
  }

  async openRoot (): Promise<void> { await this.cd('') }

  async openBucket (bucket: string): Promise<void> {
    this.navigations++
    await this.cd(bucket === '' ? '' : viewPath(bucket, 'latest'))
  }

  /**
   * Shows the current bucket at another time, slice or label. The folder
   * on view is kept when it exists there; otherwise the view's root opens.
   * A view the server refuses (no versioning, a time in the future) is not
   * opened: its reason is thrown, for the panel to show.
   */
  async openSpec (spec: string): Promise<void> {
    const { bucket, rest } = this.view
    if (bucket === '') return
    const navigation = ++this.navigations
    const root = viewPath(bucket, spec)
    let refusal: string | undefined
    try {
      const shown = specOf(spec)
      if (!await this.opts.connect().client.viewHasFiles(bucket, spec)) {
        refusal = `nothing in ${bucket} was live at @${shown === undefined ? spec : formatSpec(shown)}: no object was there then`
      }
    } catch (e) {
      refusal = messageOf(e)
    }
    if (navigation !== this.navigations) return
    if (refusal !== undefined) throw new Error(this.refusal(bucket, spec, refusal))
    const keep = specOf(spec)?.kind !== 'label' && specOf(this.view.spec)?.kind !== 'label' ? rest : ''
    const target = viewPath(bucket, spec, keep)
    const path = keep !== '' && !(await this.exists(target)) ? root : target
    if (navigation === this.navigations) await this.cd(path)
  }

  /** Why a view cannot be opened; a time before the bucket's history gets where that history begins. */
  private refusal (bucket: string, specText: string, message: string): string {
    const h = this.bounds.get(bucket)?.horizon
    const spec = specOf(specText)
    const t = spec?.kind === 'at' ? spec.t : spec?.kind === 'slice' ? spec.to : undefined
    if (h === undefined || t === undefined || t >= h) return message
    return `${formatInstant(t)} is before ${bucket}'s history begins (${formatInstant(h)}, your time ${localText(h)}): ` +
      'S3 kept no versions before then, so there is nothing to show. Pick a time after it.'
  }

  private async exists (localPath: string): Promise<boolean> {
    try {
      await this.opts.contents.get(`${DRIVE_NAME}:${localPath}`, { content: false })
      return true
    } catch {
      return false
    }
  }

  /** The plain path to a drive path under the mount point, for code. */
  mountPathOf (pathOrGlobal: string): string {
    return mountPath(this.mountPoint, this.opts.contents.localPath(pathOrGlobal))
  }

  /** The label named `name`, from the bucket's list or the server. */
  async labelNamed (name: string): Promise<Label> {
    return this._labels.find(l => l.name === name) ?? await this.opts.connect().client.label(name)
  }

  /**
   * The S3 key behind a drive path: a label's view is rooted at its path.
   * Names the mount had to change (see core/names.ts) are not mapped back.
   */
  async keyOf (pathOrGlobal: string): Promise<{ bucket: string, key: string }> {
    const view = parseViewPath(this.opts.contents.localPath(pathOrGlobal))
    const spec = specOf(view.spec)
    const prefix = spec?.kind === 'label' ? (await this.labelNamed(spec.name)).prefix : ''
    return { bucket: view.bucket, key: prefix + view.rest }
  }

  /** Every version and delete marker of the file at a drive path, newest first. */
  async log (pathOrGlobal: string): Promise<{ bucket: string, key: string, entries: LogEntry[] }> {
    const { bucket, key } = await this.keyOf(pathOrGlobal)
    return { bucket, key, entries: await this.opts.connect().client.log(bucket, key) }
  }

  /** The time a view shows (a slice: its end; latest: Infinity). */
  async viewTime (specText: string | undefined): Promise<number> {
    const spec = specOf(specText)
    if (spec === undefined || spec.kind === 'latest') return Infinity
    if (spec.kind === 'label') return await this.viewTime((await this.labelNamed(spec.name)).spec)
    return spec.kind === 'at' ? spec.t : spec.to
  }

  /**
   * Creates a label for the view and folder on display. A view that is
   * itself a label is re-expressed as its bucket path and time, since a
   * label names a time, not another label.
   */
  async createLabel (name: string, description: string): Promise<Label> {
    const { bucket, rest } = this.view
    const spec = specOf(this.view.spec)
    if (bucket === '' || spec === undefined) {
      throw new ApiError(400, 'open a bucket at a time, a slice or a label first')
    }
    let prefix = ''
    let specText = formatSpec(spec)
    if (spec.kind === 'label') {
      const label = await this.labelNamed(spec.name)
      prefix = label.prefix
      specText = label.spec
    }
    const created = await this.opts.connect().client.createLabel({
      name, bucket, path: prefix + rest, spec: specText, ...(description === '' ? {} : { description })
    })
    await this.loadLabels(true)
    this._changed.emit()
    return created
  }

  dispose (): void {
    clearTimeout(this.recheck)
    Signal.clearData(this)
  }
}
