import type { FileBrowserModel } from '@jupyterlab/filebrowser'
import type { Contents } from '@jupyterlab/services'
import { Signal, type ISignal } from '@lumino/signaling'
import { formatSpec } from '../../core/timespec.js'
import { ApiError, type InfinStorClient, type Label } from './api.js'
import type { LabConfig } from './config.js'
import { diagnose, diagnoseContents, type Health, type Where } from './health.js'
import { mountPath, parseViewPath, specOf, viewPath, type ViewPath } from './paths.js'

export const DRIVE_NAME = 'InfinStor'

const RECHECK_MS = 5000

export interface ModelOptions {
  contents: Contents.IManager
  client: InfinStorClient
  config: () => LabConfig
  where: () => Where
}

/**
 * What the InfinStor panel shows, apart from any widget: the server's
 * health, the buckets, the current bucket's labels, and the view. The view
 * is read from the file browser's path, which stays the one source of
 * truth; choosing a view means navigating the browser.
 */
export class InfinStorModel {
  private readonly opts: ModelOptions
  private browser: FileBrowserModel | undefined
  private _health: Health = { state: 'checking' }
  private _buckets: string[] = []
  private _labels: Label[] = []
  private _labelsError: string | undefined
  private labelsFor: string | undefined
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

  /**
   * Whether the drive may talk to the server. Until the server checks out,
   * requests would only fail, and JupyterLab answers failed listings with
   * dialogs, one per poll.
   */
  get usable (): boolean { return this._health.state === 'ok' }

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

  attach (browser: FileBrowserModel): void {
    this.browser = browser
    browser.pathChanged.connect(() => { void this.onPath() })
    // The browser polls its directory: a failure there is how a daemon that
    // went away is noticed. While the panel shows a problem the drive is
    // closed (see `usable`) and the model's own recheck finds the way back.
    browser.connectionFailure.connect(() => {
      if (this._health.state === 'ok') void this.check()
    })
  }

  /** Probes the server; on success reloads the buckets and labels. */
  async check (): Promise<void> {
    this.checking ??= this.runCheck().finally(() => { this.checking = undefined })
    await this.checking
  }

  private async runCheck (): Promise<void> {
    clearTimeout(this.recheck)
    const was = this._health.state
    const where = this.opts.where()
    let health = diagnose(await this.opts.client.probe(), where)
    if (health.state === 'ok') health = diagnoseContents(await this.opts.client.probe('api/contents?content=0'), health.info, where)
    this._health = health
    if (health.state === 'ok') {
      await this.loadBuckets()
      await this.loadLabels(true)
      if (was !== 'ok') await this.browser?.cd('.')
    } else {
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
      this._labels = await this.opts.client.labels(bucket)
    } catch (e) {
      this._labelsError = e instanceof Error ? e.message : String(e)
    }
  }

  private async onPath (): Promise<void> {
    this._changed.emit()
    const before = this.labelsFor
    await this.loadLabels()
    if (this.labelsFor !== before) this._changed.emit()
  }

  /** Navigates within the drive: cd resolves against the browser's drive. */
  private async cd (localPath: string): Promise<void> {
    await this.browser?.cd('/' + localPath)
  }

  async openRoot (): Promise<void> { await this.cd('') }

  async openBucket (bucket: string): Promise<void> {
    await this.cd(bucket === '' ? '' : viewPath(bucket, 'latest'))
  }

  /**
   * Shows the current bucket at another time, slice or label. The folder
   * on view is kept when it exists there; otherwise the view's root opens.
   */
  async openSpec (spec: string): Promise<void> {
    const { bucket, rest } = this.view
    if (bucket === '') return
    const keep = specOf(spec)?.kind !== 'label' && specOf(this.view.spec)?.kind !== 'label' ? rest : ''
    const target = viewPath(bucket, spec, keep)
    if (keep !== '' && !(await this.exists(target))) {
      await this.cd(viewPath(bucket, spec))
      return
    }
    await this.cd(target)
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
    return mountPath(this.config.mountPoint, this.opts.contents.localPath(pathOrGlobal))
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
      const label = await this.opts.client.label(spec.name)
      prefix = label.prefix
      specText = label.spec
    }
    const path = prefix + rest
    const created = await this.opts.client.createLabel({
      name, bucket, path, spec: specText, ...(description === '' ? {} : { description })
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
