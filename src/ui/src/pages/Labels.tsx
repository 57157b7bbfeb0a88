import { useEffect, useState } from 'preact/hooks'
import { api, type ApiError, type Label } from '../api'
import type { PageProps } from '../App'
import { Confirm, Empty, ErrorBox, Progress } from '../components/feedback'
import { when } from '../format'
import { asApiError, useAsync } from '../hooks'
import { go, href } from '../router'
import { LabelForm } from './LabelForm'
import { When } from '../components/When'

function specText (spec: string): string {
  const [from, to] = spec.split('..')
  return to === undefined ? `at ${when(from)}` : `${when(from)} … ${when(to)}`
}

function Details ({ label, onDeleted }: { label: Label, onDeleted: () => void }) {
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | undefined>()
  const remove = async (): Promise<void> => {
    setBusy(true)
    try {
      await api.deleteLabel(label.name)
      setAsking(false)
      onDeleted()
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="panel label-details" aria-label={`label ${label.name}`}>
      <h2>{label.name}</h2>
      <dl class="facts">
        <dt>Names</dt><dd class="mono">s3://{label.bucket}/{label.prefix}</dd>
        <dt>Time</dt><dd>{specText(label.spec)}</dd>
        <dt>Created</dt><dd>{when(label.createdAt)} by {label.creator}</dd>
        {label.description !== undefined && <><dt>Description</dt><dd>{label.description}</dd></>}
      </dl>
      <div class="actions">
        <a class="button primary" href={href('browse', { bucket: label.bucket, at: label.name })}>Browse it</a>
        <a class="button" href={href('diff', { bucket: label.bucket, a: label.name, b: 'latest' })}>Diff with latest</a>
        <button class="danger-outline" onClick={() => setAsking(true)}>Delete…</button>
      </div>
      {asking && (
        <Confirm title={`Delete label ${label.name}?`} danger busy={busy} confirmLabel="Delete label" onConfirm={() => { void remove() }} onCancel={() => setAsking(false)}>
          <p>The data stays in S3; only the name goes. <strong>Deleting is permanent, and the name <code>{label.name}</code> can never be used again</strong>, so references to it elsewhere fail rather than silently change meaning.</p>
          {error !== undefined && <ErrorBox error={error} />}
        </Confirm>
      )}
    </div>
  )
}

export function Labels ({ params, buckets, onBucket }: PageProps & { onBucket: (bucket: string) => void }) {
  const bucket = params.get('bucket') ?? undefined
  const selected = params.get('name') ?? undefined
  const creating = params.get('new') === '1'
  const [filter, setFilter] = useState('')
  const list = useAsync(async () => await api.labels(), [selected, creating])
  const f = filter.trim().toLowerCase()
  const shown = (list.value ?? []).filter(l => (bucket === undefined || l.bucket === bucket) &&
    (f === '' || [l.name, l.bucket, l.prefix, l.description ?? '', l.creator].some(s => s.toLowerCase().includes(f))))
  const label = list.value?.find(l => l.name === selected)
  // The label shown names the bucket the other pages then open.
  useEffect(() => { if (label !== undefined) onBucket(label.bucket) }, [label?.bucket])
  return (
    <section>
      <div class="titlebar">
        <h1>Labels</h1>
        <span class="spacer" />
        {!creating && <a class="button primary" href={href('labels', { new: '1', bucket })}>New label…</a>}
      </div>
      {creating && (
        <LabelForm buckets={buckets} initial={{ bucket, path: params.get('path') ?? undefined, spec: params.get('spec') ?? undefined }}
          onCancel={() => history.back()} />
      )}
      {label !== undefined && <Details label={label} onDeleted={() => go('labels', { bucket })} />}
      {selected !== undefined && list.value !== undefined && label === undefined && <Empty>No label named {selected} (it may have been deleted).</Empty>}
      <label class="filter">Filter<input type="search" aria-label="filter labels" value={filter} placeholder="name, bucket, folder, description…" onInput={e => setFilter((e.currentTarget as HTMLInputElement).value)} /></label>
      {bucket !== undefined && <span class="note"> in bucket {bucket} · <a href={href('labels', {})}>all buckets</a></span>}
      {list.error !== undefined && <ErrorBox error={list.error} />}
      {list.value === undefined && list.loading && <Progress label="Reading the label store…" elapsed={list.elapsed} />}
      {list.value !== undefined && (shown.length === 0
        ? <Empty>{list.value.length === 0 ? 'No labels yet. Browse a bucket and use “Label this view…”.' : 'No label matches the filter.'}</Empty>
        : (
          <table class="grid">
            <thead><tr><th>Name</th><th>Bucket / folder</th><th>Time</th><th>Created</th><th>Description</th></tr></thead>
            <tbody>
              {shown.map(l => (
                <tr key={l.name} class={l.name === selected ? 'selected' : ''}>
                  <td><a href={href('labels', { bucket, name: l.name })}>{l.name}</a></td>
                  <td class="mono">{l.bucket}/{l.prefix}</td>
                  <td>{specText(l.spec)}</td>
                  <td><When iso={l.createdAt} /><br /><span class="note">{l.creator}</span></td>
                  <td>{l.description ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  )
}
