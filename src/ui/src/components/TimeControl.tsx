import { useEffect, useState } from 'preact/hooks'
import { fromPicker, isInstant, isoOf, toPicker, when } from '../format'

/**
 * Chooses the time a view shows: a UTC date-time picker, a slider over the
 * bucket's history, and "latest". The slider only commits when released,
 * so dragging does not fire a listing per pixel.
 */
export function TimeControl ({ spec, min, max, onChange }: {
  spec: string
  min?: number
  max?: number
  onChange: (spec: string) => void
}) {
  const instant = isInstant(spec) ? Date.parse(spec) : undefined
  const [drag, setDrag] = useState<number | undefined>()
  useEffect(() => setDrag(undefined), [spec])
  const lo = min ?? 0
  const hi = max ?? Date.now()
  const sliderValue = drag ?? instant ?? hi
  return (
    <div class="timecontrol">
      <label>
        Time (UTC)
        <input type="datetime-local" step={1} aria-label="time (UTC)" value={toPicker(instant === undefined ? undefined : spec)}
          onChange={e => {
            const iso = fromPicker((e.currentTarget as HTMLInputElement).value)
            if (iso !== undefined) onChange(iso)
          }} />
      </label>
      <button class={spec === 'latest' ? 'toggle on' : 'toggle'} onClick={() => onChange('latest')}>Latest</button>
      {min !== undefined && hi > lo && (
        <input type="range" class="slider" aria-label="time slider" min={lo} max={hi} step={1000} value={sliderValue}
          onInput={e => setDrag(Number((e.currentTarget as HTMLInputElement).value))}
          onChange={e => onChange(isoOf(Number((e.currentTarget as HTMLInputElement).value)))} />
      )}
      <span class="showing">
        {drag !== undefined ? `→ ${when(isoOf(drag))}` : spec === 'latest' ? 'showing: latest' : instant !== undefined ? `showing: ${when(spec)}` : `showing: ${spec}`}
      </span>
    </div>
  )
}
