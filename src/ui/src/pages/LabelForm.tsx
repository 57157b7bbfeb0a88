import { useState } from 'preact/hooks'
import { api, type ApiError } from '../api'
import { ErrorBox } from '../components/feedback'
import { SpecField } from '../components/SpecField'
import { asApiError } from '../hooks'
import { go } from '../router'

/** The server decides; this only answers early for the commonest slips. */
export function nameProblem (name: string): string | undefined {
  if (name === '') return undefined
  if (name === 'latest' || /^\d{4}-\d\d-\d\d/.test(name) || /^tm\d/.test(name) || name.includes('..')) {
    return 'looks like a time, so @' + name + ' would be read as one: choose a name that does not start like a date, "tm" + digits or "latest"'
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name)) return 'use 1 to 128 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit'
  return undefined
}

/** Creates a label, usually from the view the user was browsing. */
export function LabelForm ({ buckets, initial, onCancel }: {
  buckets: string[]
  initial: { bucket?: string, path?: string, spec?: string }
  onCancel: () => void
}) {
  const [name, setName] = useState('')
  const [bucket, setBucket] = useState(initial.bucket ?? buckets[0] ?? '')
  const [path, setPath] = useState(initial.path ?? '')
  const [spec, setSpec] = useState(initial.spec ?? '')
  const [description, setDescription] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | undefined>()
  const problem = nameProblem(name)
  const submit = async (): Promise<void> => {
    setBusy(true)
    setError(undefined)
    try {
      const label = await api.createLabel({ name, bucket, path, spec: spec.trim(), description: description === '' ? undefined : description })
      go('labels', { bucket: label.bucket, name: label.name })
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="panel label-form" aria-label="new label" onSubmit={e => { e.preventDefault(); void submit() }}>
      <h2>New label</h2>
      <p class="note">A label is a permanent name for a folder at a fixed time (or a slice). It cannot be edited, and once deleted its name is never reused.</p>
      <label>Name<input type="text" aria-label="label name" value={name} required onInput={e => setName((e.currentTarget as HTMLInputElement).value)} placeholder="e.g. train-2024-05" /></label>
      {problem !== undefined && <p class="bad" role="alert">Name {problem}.</p>}
      <label>Bucket
        <select aria-label="label bucket" value={bucket} onChange={e => setBucket((e.currentTarget as HTMLSelectElement).value)}>
          {buckets.map(b => <option key={b} value={b}>{b}</option>)}
        </select>
      </label>
      <label>Folder<input type="text" aria-label="label folder" value={path} placeholder="(whole bucket)" onInput={e => setPath((e.currentTarget as HTMLInputElement).value)} /></label>
      <SpecField name="label-spec" label="Time or slice" value={spec} bucket={bucket} onChange={setSpec} />
      <label>Description<textarea aria-label="label description" value={description} rows={2} onInput={e => setDescription((e.currentTarget as HTMLTextAreaElement).value)} /></label>
      {error !== undefined && <ErrorBox error={error} />}
      <div class="dialog-actions">
        <button type="button" onClick={onCancel}>Cancel</button>
        <button class="primary" type="submit" disabled={busy || name === '' || problem !== undefined || spec.trim() === '' || bucket === ''}>{busy ? 'Creating…' : 'Create label'}</button>
      </div>
    </form>
  )
}
