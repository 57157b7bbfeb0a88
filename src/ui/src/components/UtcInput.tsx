import { useEffect, useState } from 'preact/hooks'
import { fromField, localOf, toField } from '../format'

/**
 * A time typed in UTC ('2024-05-01 12:00:00'), with the browser's local
 * time shown beside it. Browsers' own date-time pickers show times in the
 * user's locale (01:01:13 PM), which sat badly beside the UTC times shown
 * everywhere else; this field keeps one format. It commits on Enter or
 * when it loses focus, and says so when the text is not a time.
 */
export function UtcInput ({ label, value, onCommit, name }: {
  label: string
  /** The instant shown (ISO, Z), or undefined for an empty field. */
  value: string | undefined
  onCommit: (iso: string | undefined) => void
  name?: string
}) {
  const [text, setText] = useState(toField(value))
  // Text being typed is the user's: a value arriving meanwhile (say, a default loaded late) does not replace it.
  const [editing, setEditing] = useState(false)
  useEffect(() => { if (!editing) setText(toField(value)) }, [value])
  const parsed = fromField(text)
  const bad = text.trim() !== '' && parsed === undefined
  const commit = (): void => {
    if (bad) return
    setEditing(false)
    if (parsed !== value) onCommit(parsed)
  }
  const local = parsed === undefined ? undefined : localOf(Date.parse(parsed))
  return (
    <label class="utcinput">
      {label}
      <input type="text" name={name} aria-label={label} value={text} placeholder="YYYY-MM-DD HH:MM:SS" spellcheck={false}
        aria-invalid={bad} class={bad ? 'invalid' : undefined}
        onInput={e => { setEditing(true); setText((e.currentTarget as HTMLInputElement).value) }}
        onKeyDown={e => { if (e.key === 'Enter') { e.preventDefault(); commit() } }}
        onBlur={commit} />
      <span class="beside">{bad ? 'a UTC time: YYYY-MM-DD HH:MM:SS' : local ?? (parsed === undefined ? '' : 'UTC')}</span>
    </label>
  )
}
