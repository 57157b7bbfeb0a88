import { useEffect, useState } from 'preact/hooks'
import { isoOf, when } from '../format'
import { UtcInput } from './UtcInput'

/**
 * Chooses the time a view shows: a UTC time field, a slider over the same
 * window as the activity timeline, and "latest". The slider sits on the
 * time being viewed, a label's time included, and only commits when
 * released, so dragging does not fire a listing per pixel.
 */
export function TimeControl ({ spec, at, min, max, onChange }: {
  spec: string
  /** The instant the view shows (a label's own time for a label); undefined for latest. */
  at?: number
  /** The timeline's window. */
  min?: number
  max?: number
  onChange: (spec: string) => void
}) {
  const [drag, setDrag] = useState<number | undefined>()
  useEffect(() => setDrag(undefined), [spec, at])
  const lo = min ?? 0
  const hi = max ?? Date.now()
  const outside = at !== undefined && (at < lo || at > hi)
  const sliderValue = Math.min(hi, Math.max(lo, drag ?? at ?? hi))
  const label = spec !== 'latest' && at !== undefined && isoOf(at) !== spec && !spec.includes('..') ? spec : undefined
  return (
    <div class="timecontrol">
      <UtcInput label="Time (UTC)" value={at === undefined ? undefined : isoOf(at)} onCommit={iso => { if (iso !== undefined) onChange(iso) }} />
      <button class={spec === 'latest' ? 'toggle on' : 'toggle'} onClick={() => onChange('latest')}>Latest</button>
      {min !== undefined && hi > lo && (
        <input type="range" class={outside ? 'slider outside' : 'slider'} aria-label="time slider" min={lo} max={hi} step={1000} value={sliderValue}
          onInput={e => setDrag(Number((e.currentTarget as HTMLInputElement).value))}
          onChange={e => onChange(isoOf(Number((e.currentTarget as HTMLInputElement).value)))} />
      )}
      <span class="showing" role="status">
        {drag !== undefined
          ? `→ ${when(isoOf(drag))}`
          : spec === 'latest'
            ? 'showing: latest'
            : `showing: ${label === undefined ? '' : `label ${label}, `}${at === undefined ? spec : when(isoOf(at))}` +
              (outside ? (at < lo ? ' (before the timeline\'s window)' : ' (after the timeline\'s window)') : '')}
      </span>
    </div>
  )
}
