import { Widget } from '@lumino/widgets'
import { formatInstant } from '../../../core/timespec.js'
import { fromLocalInput, localText, sliceSpec, snapshotSpec, toLocalInput, zoneLabel } from '../localtime.js'
import type { InfinStorModel } from '../model.js'
import { specOf } from '../paths.js'

type Mode = 'latest' | 'at' | 'slice' | 'label'

const MODES: Array<{ mode: Mode, text: string, title: string }> = [
  { mode: 'latest', text: 'Latest', title: 'The bucket as it is now' },
  { mode: 'at', text: 'Snapshot', title: 'The bucket as it was at one time' },
  { mode: 'slice', text: 'Slice', title: 'What was written between two times and is still there at the second' },
  { mode: 'label', text: 'Label', title: 'A named bucket path and time' }
]

/** How far back "now" starts in a picker: the server refuses times ahead of its own clock. */
const NOW_MARGIN_MS = 60_000

function el<K extends keyof HTMLElementTagNameMap> (tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v)
  node.append(...children)
  return node
}

function picker (label: string): HTMLInputElement {
  return el('input', { type: 'datetime-local', step: '1', 'aria-label': label, class: 'jp-InfinStor-time' })
}

/** The UTC time a picker's local value means, shown beside it: pickers are local, specs are UTC. */
function utcOf (input: HTMLInputElement): string {
  const t = fromLocalInput(input.value)
  return t === undefined ? '' : `= ${formatInstant(t)}`
}

/**
 * The view chooser above the file browser: bucket, then latest / a
 * snapshot / a slice / a label, and the canonical spec of what is on view.
 * It renders from the model and acts only by asking the model to navigate:
 * the highlighted mode is always the view on display.
 */
export class ViewBar extends Widget {
  private readonly model: InfinStorModel
  private readonly bucket = el('select', { class: 'jp-InfinStor-bucket', 'aria-label': 'Bucket' })
  private readonly modeButtons = new Map<Mode, HTMLButtonElement>()
  private readonly at = picker('Snapshot time')
  private readonly atUtc = el('span', { class: 'jp-InfinStor-utc' })
  private readonly from = picker('Slice start')
  private readonly to = picker('Slice end')
  private readonly sliceUtc = el('span', { class: 'jp-InfinStor-utc' })
  private readonly openSlice = el('button', { class: 'jp-mod-styled jp-mod-accept jp-InfinStor-openSlice', type: 'button' }, 'Open slice')
  private readonly labelSelect = el('select', { class: 'jp-InfinStor-labels', 'aria-label': 'Label' })
  private readonly rows = {
    at: el('div', { class: 'jp-InfinStor-row jp-InfinStor-atRow' }),
    slice: el('div', { class: 'jp-InfinStor-row jp-InfinStor-sliceRow' }),
    label: el('div', { class: 'jp-InfinStor-row jp-InfinStor-labelRow' })
  }

  private readonly bounds = el('div', { class: 'jp-InfinStor-bounds' })
  private readonly indicator = el('code', { class: 'jp-InfinStor-spec', title: 'The canonical spec of this view (UTC)' })
  private readonly localTime = el('div', { class: 'jp-InfinStor-localTime' })
  private readonly note = el('div', { class: 'jp-InfinStor-note', role: 'note' })
  private readonly error = el('div', { class: 'jp-InfinStor-error', role: 'alert' })
  /** The chooser row open (e.g. Label, before a label is picked); else the view's own. */
  private expanded: Mode | undefined
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
    this.rows.at.append(this.at, el('span', { class: 'jp-InfinStor-zone' }, zone), this.atUtc)
    this.rows.slice.append(
      el('span', {}, 'from'), this.from, el('span', {}, 'to'), this.to,
      el('span', { class: 'jp-InfinStor-zone' }, zone), this.openSlice, this.sliceUtc)
    this.rows.label.append(this.labelSelect)
    this.node.append(
      el('div', { class: 'jp-InfinStor-row' }, el('label', {}, 'Bucket ', this.bucket)),
      modes, this.bounds, this.rows.at, this.rows.slice, this.rows.label,
      el('div', { class: 'jp-InfinStor-row jp-InfinStor-indicator' }, el('span', {}, 'View '), this.indicator),
      this.localTime, this.note, this.error)

    this.bucket.addEventListener('change', () => { void this.act(async () => await model.openBucket(this.bucket.value)) })
    this.at.addEventListener('input', () => { this.atUtc.textContent = utcOf(this.at) })
    this.at.addEventListener('change', () => {
      if (this.at.value === '') return
      void this.act(async () => await model.openSpec(snapshotSpec(this.at.value)))
    })
    for (const p of [this.from, this.to]) p.addEventListener('input', () => { this.sliceUtc.textContent = this.sliceText() })
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

  private sliceText (): string {
    const a = utcOf(this.from)
    const b = utcOf(this.to)
    return a === '' || b === '' ? '' : `${a.slice(2)} .. ${b.slice(2)} UTC`
  }

  /** Runs a navigation, showing its refusal (a local check, or the server's reason) where the user is. */
  private async act (run: () => Promise<void>): Promise<void> {
    this.error.textContent = ''
    try {
      await run()
    } catch (e) {
      this.error.textContent = (e as Error).message
    }
  }

  /** A time to start a picker from: the view's own, else a minute ago. */
  private startTime (): number {
    const spec = specOf(this.model.view.spec)
    return spec?.kind === 'at' ? spec.t : spec?.kind === 'slice' ? spec.to : Date.now() - NOW_MARGIN_MS
  }

  /** Each mode opens its view at once, so the highlighted mode is the view on display. */
  private async chooseMode (mode: Mode): Promise<void> {
    this.expanded = mode
    this.error.textContent = ''
    if (mode === 'at' && this.at.value === '') this.at.value = toLocalInput(this.startTime())
    if (mode === 'slice') {
      if (this.to.value === '') this.to.value = toLocalInput(this.startTime())
      if (this.from.value === '') this.from.value = toLocalInput((fromLocalInput(this.to.value) ?? this.startTime()) - 3_600_000)
    }
    this.render()
    if (mode === 'latest') await this.act(async () => await this.model.openSpec('latest'))
    if (mode === 'at') await this.act(async () => await this.model.openSpec(snapshotSpec(this.at.value)))
    if (mode === 'slice') await this.act(async () => await this.model.openSpec(sliceSpec(this.from.value, this.to.value)))
  }

  private render (): void {
    const model = this.model
    const { bucket, spec: specText } = model.view
    const path = model.path
    if (path !== this.shownPath) {
      this.shownPath = path
      this.expanded = undefined
      this.error.textContent = ''
      this.syncPickers()
    }
    this.bucket.replaceChildren(
      el('option', { value: '' }, bucket === '' ? 'Choose a bucket…' : 'All buckets'),
      ...model.buckets.map(b => el('option', { value: b }, b)))
    if (bucket !== '' && !model.buckets.includes(bucket)) this.bucket.append(el('option', { value: bucket }, bucket))
    this.bucket.value = bucket

    const spec = specOf(specText)
    const shown: Mode | undefined = spec?.kind
    const open = this.expanded ?? shown
    for (const [m, b] of this.modeButtons) {
      b.disabled = bucket === ''
      b.classList.toggle('jp-mod-active', m === shown)
      b.setAttribute('aria-pressed', String(m === shown))
    }
    this.rows.at.hidden = open !== 'at'
    this.rows.slice.hidden = open !== 'slice'
    this.rows.label.hidden = open !== 'label'

    const labels = model.labels
    this.labelSelect.replaceChildren(
      el('option', { value: '' }, model.labelsError !== undefined
        ? `Labels unavailable: ${model.labelsError}`
        : labels.length === 0 ? 'No labels in this bucket' : 'Choose a label…'),
      ...labels.map(l => el('option', { value: l.name, title: l.description ?? '' }, `${l.name}  (${l.spec})`)))
    this.labelSelect.value = spec?.kind === 'label' ? spec.name : ''

    this.renderBounds(bucket)
    this.indicator.textContent = this.indicatorText()
    this.indicator.dataset.spec = model.canonicalSpec ?? ''
    this.localTime.textContent = this.localText()
    if (model.navError !== undefined) this.error.textContent = model.navError
  }

  /** The bucket's history bounds, on the pickers and in words; and a note when the view is before them. */
  private renderBounds (bucket: string): void {
    const b = this.model.bucketBounds
    const h = b?.horizon
    for (const p of [this.at, this.from, this.to]) {
      if (h === undefined) p.removeAttribute('min')
      else p.min = toLocalInput(h)
      p.max = toLocalInput(Date.now())
    }
    this.bounds.dataset.horizon = h === undefined ? '' : formatInstant(h)
    this.bounds.textContent = bucket === '' || b === undefined
      ? ''
      : b.versioning === 'Off'
        ? 'No versioning: this bucket has no history, only Latest.'
        : h === undefined ? 'History: none kept yet (no versioned writes).' : `History from ${formatInstant(h)} (${localText(h)}) to now.`
    this.note.textContent = ''
    const t = this.shownTime()
    if (h !== undefined && t !== undefined && t < h) {
      this.note.textContent = `This time is before ${bucket}'s history begins (${formatInstant(h)}, ${localText(h)}). ` +
        'S3 kept no versions before then, so this view shows only objects written before versioning was turned on and never changed since: often nothing.'
    }
  }

  /** The time the view shows (a slice: its end), when it names one. */
  private shownTime (): number | undefined {
    const spec = specOf(this.model.view.spec)
    if (spec?.kind === 'label') {
      const target = specOf(this.model.label?.spec)
      return target?.kind === 'at' ? target.t : target?.kind === 'slice' ? target.to : undefined
    }
    return spec?.kind === 'at' ? spec.t : spec?.kind === 'slice' ? spec.to : undefined
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

  /** The view's times in the browser's zone, under the UTC spec. */
  private localText (): string {
    const spec = specOf(this.model.view.spec)
    if (spec?.kind === 'at') return `your time: ${localText(spec.t)}`
    if (spec?.kind === 'slice') return `your time: ${localText(spec.from)} .. ${localText(spec.to)}`
    return ''
  }

  /** Puts the view's own times into the pickers when the view changes. */
  private syncPickers (): void {
    const spec = specOf(this.model.view.spec)
    if (spec?.kind === 'at') {
      this.at.value = toLocalInput(spec.t)
      if (this.to.value === '') this.to.value = toLocalInput(spec.t)
    }
    if (spec?.kind === 'slice') {
      this.from.value = toLocalInput(spec.from)
      this.to.value = toLocalInput(spec.to)
      // Snapshot after a slice shows the bucket at the slice's end.
      this.at.value = toLocalInput(spec.to)
    }
    this.at.title = spec?.kind === 'at' ? formatInstant(spec.t) : ''
    this.atUtc.textContent = utcOf(this.at)
    this.sliceUtc.textContent = this.sliceText()
  }

  dispose (): void {
    this.model.changed.disconnect(this.render, this)
    super.dispose()
  }
}
