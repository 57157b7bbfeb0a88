import { useMemo, useState } from 'preact/hooks'
import { api, type DirPage, type Entry } from '../api'
import type { PageProps } from '../App'
import { BucketPicker } from '../components/BucketPicker'
import { Breadcrumbs } from '../components/Breadcrumbs'
import { Empty, ErrorBox, Progress } from '../components/feedback'
import { Preview } from '../components/Preview'
import { TimeControl } from '../components/TimeControl'
import { Timeline } from '../components/Timeline'
import { VirtualList } from '../components/VirtualList'
import { bytes, count, isInstant, when } from '../format'
import { useAsync } from '../hooks'
import { PagedSource } from '../paged'
import { go, href } from '../router'

/** A bucket at one time: folders, files, previews, and the activity that shaped it. */
export function Browse ({ params, buckets }: PageProps) {
  const bucket = params.get('bucket') ?? undefined
  if (bucket === undefined) {
    return <section><h1>Browse</h1><BucketPicker page="browse" buckets={buckets} /></section>
  }
  return <BrowseBucket bucket={bucket} path={params.get('path') ?? ''} spec={params.get('at') ?? 'latest'} file={params.get('file') ?? undefined} />
}

function BrowseBucket ({ bucket, path, spec, file }: { bucket: string, path: string, spec: string, file?: string }) {
  const nav = (over: Record<string, string | undefined>): void =>
    go('browse', { bucket, path, at: spec === 'latest' ? undefined : spec, file, ...over })
  const [zoom, setZoom] = useState<{ from: string, to: string } | undefined>()
  const timeline = useAsync(async () => await api.timeline(bucket, path, 120, zoom?.from, zoom?.to), [bucket, path, zoom])
  const source = useMemo(() => new PagedSource<Entry>(async (o, l, s) => await api.dir(bucket, path, spec, o, l, s)), [bucket, path, spec])
  const listing = useAsync(async () => await source.first() as DirPage, [source])
  const dir = listing.value
  // A file named in the URL may sit on a page not fetched yet: show what its key says.
  const selected = file === undefined || dir === undefined
    ? undefined
    : source.find(e => e.key === file) ?? { name: file.slice(file.lastIndexOf('/') + 1), type: 'file' as const, key: file }
  const at = spec === 'latest' ? undefined : isInstant(spec) ? Date.parse(spec) : undefined
  const extra = { at: spec === 'latest' ? undefined : spec }
  return (
    <section class="browse">
      <div class="titlebar">
        <h1>Browse</h1>
        <Breadcrumbs page="browse" bucket={bucket} path={path} extra={extra} />
        <span class="spacer" />
        <a class="button" href={href('labels', { new: '1', bucket, path, spec: spec === 'latest' ? undefined : spec })}>Label this view…</a>
      </div>
      <TimeControl spec={spec} min={timeline.value === undefined ? undefined : Date.parse(timeline.value.from)}
        max={timeline.value === undefined ? undefined : Date.parse(timeline.value.to)}
        onChange={s => nav({ at: s === 'latest' ? undefined : s, file: undefined })} />
      <div class="panel">
        <div class="titlebar">
          <h2>Activity {path === '' ? 'in the bucket' : `in ${path}`}</h2>
          {zoom !== undefined && <button onClick={() => setZoom(undefined)}>Show all history</button>}
        </div>
        {timeline.error !== undefined && <ErrorBox error={timeline.error} onRetry={timeline.reload} />}
        {timeline.loading && <Progress label="Reading the history…" elapsed={timeline.elapsed} />}
        {timeline.value !== undefined && !timeline.loading && (timeline.value.total.writes + timeline.value.total.deletes === 0
          ? <Empty>No writes or deletes here yet.</Empty>
          : <Timeline data={timeline.value} at={at ?? Date.parse(timeline.value.to)} onPick={t => nav({ at: t, file: undefined })} onZoom={(from, to) => setZoom({ from, to })} />)}
      </div>
      <div class="split">
        <div class="listing">
          {listing.error !== undefined && <ErrorBox error={listing.error} onRetry={listing.reload} />}
          {listing.loading && <Progress label={`Listing ${path === '' ? bucket : path} at ${spec === 'latest' ? 'latest' : when(spec)}…`} elapsed={listing.elapsed} />}
          {dir !== undefined && !listing.loading && (
            <>
              <p class="summary" role="status">
                {dir.exists
                  ? `${count(dir.total)} entries at ${dir.view.spec === 'latest' ? 'latest' : when(dir.view.spec)}`
                  : <>This folder did not exist at {when(dir.view.spec)}. <a href={href('browse', { bucket, ...extra })}>Open the bucket's root</a>.</>}
              </p>
              {dir.exists && dir.total > 0 && (
                <VirtualList source={source} label="files" header={<><span class="c-name">Name</span><span class="c-size">Size</span><span class="c-time">Modified (UTC)</span><span class="c-ver">Version id</span></>}
                  row={(e: Entry | undefined) => e === undefined
                    ? <span class="c-name loading">…</span>
                    : e.type === 'dir'
                      ? <a class="c-name dir" href={href('browse', { bucket, path: e.key, ...extra })}>{e.name}/</a>
                      : <>
                          <a class={`c-name file${e.key === file ? ' selected' : ''}`} href={href('browse', { bucket, path, ...extra, file: e.key })}>{e.name}</a>
                          <span class="c-size">{bytes(e.size)}</span>
                          <span class="c-time">{when(e.lastModified)}</span>
                          <span class="c-ver mono" title={e.versionId}>{e.versionId}</span>
                        </>} />
              )}
              {dir.exists && dir.total === 0 && <Empty>This folder is empty at this time.</Empty>}
            </>
          )}
        </div>
        {selected !== undefined && dir !== undefined && (
          <Preview bucket={bucket} entry={selected} spec={spec} mountPath={dir.mountPath} viewName={dir.view.spec} onClose={() => nav({ file: undefined })} />
        )}
      </div>
    </section>
  )
}
