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
import { bytes, counted, isInstant, when } from '../format'
import { useAsync } from '../hooks'
import { PagedSource } from '../paged'
import { go, href } from '../router'
import { When } from '../components/When'

/** A bucket at one time: folders, files, previews, and the activity that shaped it. */
export function Browse ({ params, buckets }: PageProps) {
  const bucket = params.get('bucket') ?? undefined
  if (bucket === undefined) {
    return <section><h1>Browse</h1><BucketPicker page="browse" buckets={buckets} /></section>
  }
  // One component per bucket: a zoomed window of one bucket means nothing in another.
  return <BrowseBucket key={bucket} bucket={bucket} path={params.get('path') ?? ''} spec={params.get('at') ?? 'latest'} file={params.get('file') ?? undefined} />
}

/** The instant a view shows: its time, a slice's end, a label's time; undefined for latest. */
function viewInstant (spec: string, view: DirPage['view'] | undefined): number | undefined {
  if (spec === 'latest') return undefined
  if (isInstant(spec)) return Date.parse(spec)
  // Only once the listing of this very spec is in: the one before may still be shown meanwhile.
  const t = view?.spec === spec ? view.t ?? view.to : undefined
  return t === undefined ? undefined : Date.parse(t)
}

/** A view in words: latest, a time, a slice, or a label with its time. */
function viewText (view: DirPage['view']): string {
  const time = view.kind === 'latest' ? 'latest' : view.kind === 'at' ? when(view.t) : `${when(view.from)} … ${when(view.to)}`
  return view.label === undefined ? time : `label ${view.label} (${time})`
}

function BrowseBucket ({ bucket, path, spec, file }: { bucket: string, path: string, spec: string, file?: string }) {
  const nav = (over: Record<string, string | undefined>): void =>
    go('browse', { bucket, path, at: spec === 'latest' ? undefined : spec, file, ...over })
  // The timeline's window: fitted to the activity unless zoomed (in by dragging, or out to now).
  const [zoom, setZoom] = useState<{ from?: string, to: string } | undefined>()
  const timeline = useAsync(async () => await api.timeline(bucket, path, 120, zoom?.from, zoom?.to), [bucket, path, zoom])
  const source = useMemo(() => new PagedSource<Entry>(async (o, l, s) => await api.dir(bucket, path, spec, o, l, s)), [bucket, path, spec])
  const listing = useAsync(async () => await source.first() as DirPage, [source])
  const dir = listing.value
  // A file named in the URL may sit on a page not fetched yet: show what its key says.
  const selected = file === undefined || dir === undefined
    ? undefined
    : source.find(e => e.key === file) ?? { name: file.slice(file.lastIndexOf('/') + 1), type: 'file' as const, key: file }
  const at = viewInstant(spec, dir?.view)
  const extra = { at: spec === 'latest' ? undefined : spec }
  const tl = timeline.value
  const showsNow = tl !== undefined && tl.to === tl.now
  return (
    <section class="browse">
      <div class="titlebar">
        <h1>Browse</h1>
        <Breadcrumbs page="browse" bucket={bucket} path={path} extra={extra} />
        <span class="spacer" />
        <a class="button" href={href('labels', { new: '1', bucket, path, spec: spec === 'latest' ? undefined : spec })}>Label this view…</a>
      </div>
      <TimeControl spec={spec} at={at} min={tl === undefined ? undefined : Date.parse(tl.from)}
        max={tl === undefined ? undefined : Date.parse(tl.to)}
        onChange={s => nav({ at: s === 'latest' ? undefined : s, file: undefined })} />
      <div class="panel">
        <div class="titlebar">
          <h2>Activity {path === '' ? 'in the bucket' : `in ${path}`}</h2>
          <span class="spacer" />
          {zoom !== undefined && <button onClick={() => setZoom(undefined)}>Fit to the activity</button>}
          {tl !== undefined && !showsNow && <button onClick={() => setZoom({ from: tl.from, to: tl.now })}>Zoom out to now</button>}
        </div>
        {timeline.error !== undefined && <ErrorBox error={timeline.error} />}
        {timeline.loading && <Progress label="Reading the history…" elapsed={timeline.elapsed} />}
        {tl !== undefined && !timeline.loading && timeline.error === undefined && (tl.first === null
          ? <Empty>No writes or deletes here yet.</Empty>
          : <Timeline data={tl} at={at} onPick={t => nav({ at: t, file: undefined })} onZoom={(from, to) => setZoom({ from, to })} />)}
      </div>
      <div class="split">
        <div class="listing">
          {listing.error !== undefined && <ErrorBox error={listing.error} />}
          {listing.loading && <Progress label={`Listing ${path === '' ? bucket : path} at ${spec === 'latest' ? 'latest' : when(spec)}…`} elapsed={listing.elapsed} />}
          {dir !== undefined && !listing.loading && (
            <>
              {dir.history !== undefined && <p class="history-note" role="note">{dir.history.message}</p>}
              <p class="summary" role="status">
                {dir.exists
                  ? `${counted(dir.total, 'entry', 'entries')} at ${viewText(dir.view)}`
                  : <>This folder did not exist at {viewText(dir.view)}. <a href={href('browse', { bucket, ...extra })}>Open the bucket's root</a>.</>}
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
                          <span class="c-time"><When iso={e.lastModified} /></span>
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
