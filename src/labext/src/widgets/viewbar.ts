import { Widget } from '@lumino/widgets'
import { formatInstant } from '../../../core/timespec.js'
import { fromLocalInput, sliceSpec, snapshotSpec, toLocalInput, zoneLabel } from '../localtime.js'
import type { InfinStorModel } from '../model.js'
import { specOf } from '../paths.js'

type Mode = 'latest' | 'at' | 'slice' | 'label'

const MODES: Array<{ mode: Mode, text: string, title: string }> = [
  { mode: 'latest', text: 'Latest', title: 'The bucket as it is now' },
  { mode: 'at', text: 'Snapshot', title: 'The bucket as it was at one time' },
  { mode: 'slice', text: 'Slice', title: 'What was written between two times and is still there at the second' },
  { mode: 'label', text: 'Label', title: 'A named bucket path and time' }
]

function el<K extends keyof HTMLElementTagNameMap> (tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v)
  node.append(...children)
  return node
}

function picker (label: string): HTMLInputElement {
  return el('input', { type: 'datetime-local', step: '1', 'aria-label': label, class: 'jp-InfinStor-time' })
}

/**
 * The view chooser above the file browser: bucket, then latest / a
 * snapshot / a slice / a label, and the canonical spec of what is on view.
 * It renders from the model and acts only by asking the model to navigate.
 */
export class ViewBar extends Widget {
  private readonly model: InfinStorModel
  private readonly bucket = el('select', { class: 'jp-InfinStor-bucket', 'aria-label': 'Bucket' })
  private readonly modeButtons = new Map<Mode, HTMLButtonElement>()
  private readonly at = picker('Snapshot time')
  private readonly from = picker('Slice start')
  private readonly to = picker('Slice end')
  private readonly openSlice = el('button', { class: 'jp-mod-styled jp-mod-accept jp-InfinStor-openSlice', type: 'button' }, 'Open slice')
  private readonly labelSelect = el('select', { class: 'jp-InfinStor-labels', 'aria-label': 'Label' })
  private readonly rows = {
    at: el('div', { class: 'jp-InfinStor-row jp-InfinStor-atRow' }),
    slice: el('div', { class: 'jp-InfinStor-row jp-InfinStor-sliceRow' }),
    label: el('div', { class: 'jp-InfinStor-row jp-InfinStor-labelRow' })
  }

  private readonly indicator = el('code', { class: 'jp-InfinStor-spec', title: 'The canonical spec of this view' })
  private readonly error = el('div', { class: 'jp-InfinStor-error', role: 'alert' })
  /** A mode picked but not yet used (e.g. Snapshot before a time is chosen). */
  private pendingMode: Mode | undefined
  private shownPath: string | undefined

  constructor (model: InfinStorModel) {
    super()
    this.model = model
    this.addClass('jp-InfinStor-viewbar')
    const modes = el('div', { class: 'jp-InfinStor-modes', role: 'group', 'aria-label': 'View' })
    for (const m of MODES) {
      const b = el('button', { type: 'button', class: 'jp-InfinStor-mode', 'data-mode': m.mode, title: m.title }, m.text)
      b.addEventListener('click', () => { void this.chooseMode(m.mode) })
      this.modeButtons.set(m.mode, b)
      modes.append(b)
    }
    const zone = zoneLabel(Date.now())
    this.rows.at.append(this.at, el('span', { class: 'jp-InfinStor-zone' }, zone))
    this.rows.slice.append(
      el('span', {}, 'from'), this.from, el('span', {}, 'to'), this.to,
      el('span', { class: 'jp-InfinStor-zone' }, zone), this.openSlice)
    this.rows.label.append(this.labelSelect)
    this.node.append(
      el('div', { class: 'jp-InfinStor-row' }, el('label', {}, 'Bucket ', this.bucket)),
      modes, this.rows.at, this.rows.slice, this.rows.label,
      el('div', { class: 'jp-InfinStor-row jp-InfinStor-indicator' }, el('span', {}, 'View '), this.indicator),
      this.error)

    this.bucket.addEventListener('change', () => { void this.act(async () => await model.openBucket(this.bucket.value)) })
    this.at.addEventListener('change', () => {
      if (this.at.value === '') return
      void this.act(async () => await model.openSpec(snapshotSpec(this.at.value)))
    })
    this.openSlice.addEventListener('click', () => {
      void this.act(async () => await model.openSpec(sliceSpec(this.from.value, this.to.value)))
    })
    this.labelSelect.addEventListener('change', () => {
      if (this.labelSelect.value === '') return
      void this.act(async () => await model.openSpec(this.labelSelect.value))
    })
    model.changed.connect(this.render, this)
    this.render()
  }

  /** Runs a navigation, showing a local validation error instead of navigating. */
  private async act (run: () => Promise<void>): Promise<void> {
    this.error.textContent = ''
    try {
      await run()
    } catch (e) {
      this.error.textContent = (e as Error).message
    }
  }

  private async chooseMode (mode: Mode): Promise<void> {
    this.pendingMode = mode
    this.error.textContent = ''
    if (mode === 'latest') {
      this.pendingMode = undefined
      await this.act(async () => await this.model.openSpec('latest'))
      return
    }
    // A picker starts from the time on view, or from now, so one nudge is enough.
    const spec = specOf(this.model.view.spec)
    const start = spec?.kind === 'at' ? spec.t : spec?.kind === 'slice' ? spec.to : Date.now()
    if (mode === 'at' && this.at.value === '') this.at.value = toLocalInput(start)
    if (mode === 'slice') {
      if (this.to.value === '') this.to.value = toLocalInput(start)
      if (this.from.value === '') this.from.value = toLocalInput((fromLocalInput(this.to.value) ?? start) - 3_600_000)
    }
    this.render()
  }

  private render (): void {
    const model = this.model
    const { bucket, spec: specText } = model.view
    const path = model.path
    if (path !== this.shownPath) {
      this.shownPath = path
      this.pendingMode = undefined
      this.syncPickers()
    }
    this.bucket.replaceChildren(
      el('option', { value: '' }, bucket === '' ? 'Choose a bucket…' : 'All buckets'),
      ...model.buckets.map(b => el('option', { value: b }, b)))
    if (bucket !== '' && !model.buckets.includes(bucket)) this.bucket.append(el('option', { value: bucket }, bucket))
    this.bucket.value = bucket

    const spec = specOf(specText)
    const mode: Mode | undefined = this.pendingMode ?? (spec === undefined ? undefined : spec.kind)
    for (const [m, b] of this.modeButtons) {
      b.disabled = bucket === ''
      b.classList.toggle('jp-mod-active', m === mode)
      b.setAttribute('aria-pressed', String(m === mode))
    }
    this.rows.at.hidden = mode !== 'at'
    this.rows.slice.hidden = mode !== 'slice'
    this.rows.label.hidden = mode !== 'label'

    const labels = model.labels
    this.labelSelect.replaceChildren(
      el('option', { value: '' }, model.labelsError !== undefined
        ? `Labels unavailable: ${model.labelsError}`
        : labels.length === 0 ? 'No labels in this bucket' : 'Choose a label…'),
      ...labels.map(l => el('option', { value: l.name, title: l.description ?? '' }, `${l.name}  (${l.spec})`)))
    this.labelSelect.value = spec?.kind === 'label' ? spec.name : ''

    this.indicator.textContent = this.indicatorText()
    this.indicator.dataset.spec = model.canonicalSpec ?? ''
  }

  private indicatorText (): string {
    const { bucket, spec } = this.model.view
    if (bucket === '') return 'choose a bucket'
    const canonical = this.model.canonicalSpec
    if (canonical === undefined) return spec === undefined ? 'choose a time, a slice or a label' : `@${spec} (not a valid spec)`
    const label = this.model.label
    if (label !== undefined) return `@${canonical} = ${label.bucket}/${label.prefix}@${label.spec}`
    return '@' + canonical
  }

  /** Puts the view's own times into the pickers when the view changes. */
  private syncPickers (): void {
    const spec = specOf(this.model.view.spec)
    if (spec?.kind === 'at') this.at.value = toLocalInput(spec.t)
    if (spec?.kind === 'slice') {
      this.from.value = toLocalInput(spec.from)
      this.to.value = toLocalInput(spec.to)
    }
    this.at.title = spec?.kind === 'at' ? formatInstant(spec.t) : ''
  }

  dispose (): void {
    this.model.changed.disconnect(this.render, this)
    super.dispose()
  }
}
