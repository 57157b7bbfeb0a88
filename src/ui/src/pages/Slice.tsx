import { useMemo, useState } from 'preact/hooks'
import { api, type FileRow, type FilesPage } from '../api'
import type { PageProps } from '../App'
import { BucketPicker } from '../components/BucketPicker'
import { Empty, ErrorBox, Progress } from '../components/feedback'
import { UtcInput } from '../components/UtcInput'
import { VirtualList } from '../components/VirtualList'
import { bytes, counted, fromField, when } from '../format'
import { useAsync } from '../hooks'
import { PagedSource } from '../paged'
import { go, href } from '../router'
import { When } from '../components/When'

function dirOf (key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1)
}

/** What was ingested in a window: files live at its end that were written after its start. */
export function Slice ({ params, buckets }: PageProps) {
  const bucket = params.get('bucket') ?? undefined
  const from = params.get('from') ?? ''
  const to = params.get('to') ?? ''
  const path = params.get('path') ?? ''
  const bounds = useAsync(async () => bucket === undefined ? undefined : await api.timeline(bucket, '', 1), [bucket])
  const [draft, setDraft] = useState<{ from?: string, to?: string, path?: string }>({})
  const f = draft.from ?? (from !== '' ? from : bounds.value?.from ?? '')
  const t = draft.to ?? (to !== '' ? to : bounds.value?.to ?? '')
  const p = draft.path ?? path
  const spec = from !== '' && to !== '' ? `${from}..${to}` : undefined
  const source = useMemo(() => bucket === undefined || spec === undefined
    ? undefined
    : new PagedSource<FileRow>(async (o, l, s) => await api.files(bucket, path, spec, o, l, s)), [bucket, path, spec])
  const result = useAsync(async () => source === undefined ? undefined : await source.first() as FilesPage, [source])
  return (
    <section>
      <h1>Slice</h1>
      <p class="lead">Choose a window to list what was ingested in it: the files live at its end whose last write came after its start.</p>
      <BucketPicker page="slice" buckets={buckets} current={bucket} />
      {bucket !== undefined && (
        <form class="row-form" onSubmit={e => {
          e.preventDefault()
          // The fields' own text: a field still being typed in commits on blur, in the same click as this submit.
          const data = new FormData(e.currentTarget as HTMLFormElement)
          const typed = (name: string, fallback: string): string => fromField(String(data.get(name) ?? '')) ?? fallback
          setDraft({})
          go('slice', { bucket, from: typed('from', f), to: typed('to', t), path: p })
        }}>
          <UtcInput label="From (UTC)" name="from" value={f === '' ? undefined : f} onCommit={iso => setDraft(d => ({ ...d, from: iso ?? '' }))} />
          <UtcInput label="To (UTC)" name="to" value={t === '' ? undefined : t} onCommit={iso => setDraft(d => ({ ...d, to: iso ?? '' }))} />
          <label>Folder<input type="text" aria-label="folder" placeholder="(whole bucket)" value={p} onInput={e => { const path = (e.currentTarget as HTMLInputElement).value; setDraft(d => ({ ...d, path })) }} /></label>
          <button class="primary" type="submit" disabled={f === '' || t === ''}>Show slice</button>
        </form>
      )}
      {result.error !== undefined && <ErrorBox error={result.error} />}
      {source !== undefined && result.loading && <Progress label="Listing the window's history…" elapsed={result.elapsed} />}
      {bucket !== undefined && spec !== undefined && result.value !== undefined && !result.loading && (
        <>
          <p class="summary" role="status">
            {counted(result.value.total, 'file')} ({bytes(result.value.totalBytes)}) ingested between {when(from)} and {when(to)}
            {' · '}<a href={href('browse', { bucket, path, at: spec })}>browse the slice as folders</a>
            {' · '}<a href={href('diff', { bucket, a: from, b: to, path })}>diff the two ends</a>
          </p>
          {result.value.total === 0
            ? <Empty>Nothing was ingested in this window.</Empty>
            : <VirtualList source={source as PagedSource<FileRow>} label="ingested files"
                header={<><span class="c-name">Key</span><span class="c-size">Size</span><span class="c-time">Written (UTC)</span><span class="c-ver">Version id</span></>}
                row={(r: FileRow | undefined) => r === undefined
                  ? <span class="c-name loading">…</span>
                  : <>
                      <a class="c-name file" href={href('browse', { bucket, path: dirOf(r.key), at: to, file: r.key })}>{r.key}</a>
                      <span class="c-size">{bytes(r.size)}</span>
                      <span class="c-time"><When iso={r.lastModified} /></span>
                      <span class="c-ver mono">{r.versionId}</span>
                    </>} />}
        </>
      )}
    </section>
  )
}
