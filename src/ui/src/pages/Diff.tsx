import { useMemo, useState } from 'preact/hooks'
import { api, type ChangeRow, type DiffPage } from '../api'
import type { PageProps } from '../App'
import { BucketPicker } from '../components/BucketPicker'
import { Empty, ErrorBox, Progress } from '../components/feedback'
import { SpecField } from '../components/SpecField'
import { VirtualList } from '../components/VirtualList'
import { bytes, count, when } from '../format'
import { useAsync } from '../hooks'
import { PagedSource } from '../paged'
import { go, href } from '../router'
import { When } from '../components/When'

const KINDS = ['added', 'modified', 'deleted'] as const

function sizes (c: ChangeRow): string {
  if (c.change === 'added') return bytes(c.after?.size)
  if (c.change === 'deleted') return bytes(c.before?.size)
  return `${bytes(c.before?.size)} → ${bytes(c.after?.size)}`
}

/** What changed between two times or labels: added, modified and deleted files. */
export function Diff ({ params, buckets }: PageProps) {
  const bucket = params.get('bucket') ?? undefined
  const a = params.get('a') ?? ''
  const b = params.get('b') ?? ''
  const path = params.get('path') ?? ''
  const change = params.get('change') ?? undefined
  const [draft, setDraft] = useState<{ a?: string, b?: string, path?: string }>({})
  const labels = useAsync(async () => bucket === undefined ? [] : (await api.labels(bucket).catch(() => [])).map(l => l.name), [bucket])
  const da = draft.a ?? a
  const db = draft.b ?? (b !== '' ? b : 'latest')
  const dp = draft.path ?? path
  const ready = bucket !== undefined && a !== '' && b !== ''
  const source = useMemo(() => !ready
    ? undefined
    : new PagedSource<ChangeRow>(async (o, l, s) => await api.diff(bucket, a, b, path, change, o, l, s)), [bucket, a, b, path, change])
  const result = useAsync(async () => source === undefined ? undefined : await source.first() as DiffPage, [source])
  const base = { bucket, a, b, path: path === '' ? undefined : path }
  const at = (c: ChangeRow): string => c.change === 'deleted' ? a : b
  return (
    <section>
      <h1>Diff</h1>
      <p class="lead">Compare the bucket (or a folder) at two times or labels.</p>
      <BucketPicker page="diff" buckets={buckets} current={bucket} />
      {bucket !== undefined && (
        <form class="diff-form" onSubmit={e => { e.preventDefault(); setDraft({}); go('diff', { bucket, a: da.trim(), b: db.trim(), path: dp }) }}>
          <SpecField name="a" label="From (A)" value={da} bucket={bucket} labels={labels.value} onChange={v => setDraft({ ...draft, a: v })} />
          <SpecField name="b" label="To (B)" value={db} bucket={bucket} labels={labels.value} onChange={v => setDraft({ ...draft, b: v })} />
          <label>Folder<input type="text" aria-label="folder" placeholder="(whole bucket)" value={dp} onInput={e => setDraft({ ...draft, path: (e.currentTarget as HTMLInputElement).value })} /></label>
          <button class="primary" type="submit" disabled={da.trim() === '' || db.trim() === ''}>Compare</button>
        </form>
      )}
      {result.error !== undefined && <ErrorBox error={result.error} />}
      {source !== undefined && result.loading && <Progress label="Comparing histories…" elapsed={result.elapsed} />}
      {ready && result.value !== undefined && !result.loading && (
        <>
          <p class="summary" role="status">
            From {result.value.a.spec === 'latest' ? 'latest' : when(result.value.a.spec)} to {result.value.b.spec === 'latest' ? 'latest' : when(result.value.b.spec)}:{' '}
            <a class={change === undefined ? 'chip on' : 'chip'} href={href('diff', base)}>all {count(result.value.counts.added + result.value.counts.modified + result.value.counts.deleted)}</a>
            {KINDS.map(k => (
              <a key={k} class={`chip ${k}${change === k ? ' on' : ''}`} href={href('diff', { ...base, change: k })}>{count(result.value?.counts[k] ?? 0)} {k}</a>
            ))}
          </p>
          {result.value.total === 0
            ? <Empty>No differences.</Empty>
            : <VirtualList source={source as PagedSource<ChangeRow>} label="changes"
                header={<><span class="c-kind">Change</span><span class="c-name">Key</span><span class="c-size">Size</span><span class="c-time">Modified (UTC)</span></>}
                row={(c: ChangeRow | undefined) => c === undefined
                  ? <span class="c-name loading">…</span>
                  : <>
                      <span class={`c-kind badge ${c.change}`}>{c.change}</span>
                      <a class="c-name file" href={href('browse', { bucket, path: c.key.slice(0, c.key.lastIndexOf('/') + 1), at: at(c) === 'latest' ? undefined : at(c), file: c.key })}>{c.key}</a>
                      <span class="c-size">{sizes(c)}</span>
                      <span class="c-time"><When iso={(c.after ?? c.before)?.lastModified} /></span>
                    </>} />}
        </>
      )}
    </section>
  )
}
