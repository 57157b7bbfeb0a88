import { useEffect, useState } from 'preact/hooks'
import { api, type ApiError, type SpecInfo } from '../api'
import { when } from '../format'
import { asApiError } from '../hooks'

/**
 * A time, slice, `latest` or label, typed. The server checks the text as it
 * is typed and says what it means (times in UTC, with the local time beside
 * them), or what is wrong with it.
 */
export function SpecField ({ label, value, bucket, labels = [], onChange, name }: {
  label: string
  value: string
  bucket?: string
  labels?: string[]
  onChange: (text: string) => void
  name: string
}) {
  const [check, setCheck] = useState<{ info?: SpecInfo, error?: ApiError }>({})
  useEffect(() => {
    if (value.trim() === '') { setCheck({}); return }
    let live = true
    const timer = setTimeout(() => {
      api.spec(value.trim(), bucket).then(info => { if (live) setCheck({ info }) }, e => { if (live) setCheck({ error: asApiError(e) }) })
    }, 250)
    return () => { live = false; clearTimeout(timer) }
  }, [value, bucket])
  const listId = `labels-${name}`
  return (
    <div class="specfield">
      <label>
        {label}
        <input type="text" name={name} aria-label={label} value={value} list={listId} placeholder="2024-05-01T12:00:00Z, latest or a label"
          onInput={e => onChange((e.currentTarget as HTMLInputElement).value)} />
      </label>
      <datalist id={listId}>
        <option value="latest" />
        {labels.map(l => <option key={l} value={l} />)}
      </datalist>
      <div class="hint" aria-live="polite">
        {check.error !== undefined && <span class="bad">{check.error.message}</span>}
        {check.info !== undefined && <span class="good">{describe(check.info)}</span>}
      </div>
    </div>
  )
}

export function describe (s: SpecInfo): string {
  if (s.kind === 'latest') return 'the latest state'
  if (s.kind === 'at') return `at ${when(s.t)}`
  if (s.kind === 'slice') return `ingested between ${when(s.from)} and ${when(s.to)}`
  if (s.spec === undefined) return `label ${s.canonical}`
  return `label ${s.canonical}: s3://${s.bucket ?? ''}/${s.prefix ?? ''} ${s.t !== undefined ? `at ${when(s.t)}` : `from ${when(s.from)} to ${when(s.to)}`}`
}
