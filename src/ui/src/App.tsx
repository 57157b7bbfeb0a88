import { useEffect, useState } from 'preact/hooks'
import { api } from './api'
import { probe, useServerDown } from './connection'
import { useAsync } from './hooks'
import { href, useRoute } from './router'
import { Browse } from './pages/Browse'
import { Buckets } from './pages/Buckets'
import { Connection } from './pages/Connection'
import { Diff } from './pages/Diff'
import { Labels } from './pages/Labels'
import { Slice } from './pages/Slice'

const PAGES: Array<[string, string]> = [
  ['buckets', 'Buckets'], ['browse', 'Browse'], ['slice', 'Slice'], ['diff', 'Diff'], ['labels', 'Labels'], ['connection', 'Connection']
]

export function App () {
  const route = useRoute()
  const bucket = route.params.get('bucket') ?? undefined
  // The bucket last worked on: pages opened from the bar keep it (a label's page names none in its URL).
  const [lastBucket, setLastBucket] = useState<string | undefined>(bucket)
  useEffect(() => { if (bucket !== undefined) setLastBucket(bucket) }, [bucket])
  const down = useServerDown()
  const buckets = useAsync(async () => await api.buckets(), [])
  const names = buckets.value?.map(b => b.name) ?? []
  const props = { params: route.params, buckets: names }
  return (
    <div class="shell">
      <nav class="top">
        <a class="brand" href={href('buckets')}>InfinStor</a>
        {PAGES.map(([page, title]) => (
          <a key={page} class={route.page === page ? 'active' : ''} aria-current={route.page === page ? 'page' : undefined}
            href={href(page, page === 'buckets' || page === 'connection' ? {} : { bucket: bucket ?? lastBucket })}>{title}</a>
        ))}
        <span class="spacer" />
        {bucket !== undefined && <span class="current-bucket">bucket: <strong>{bucket}</strong></span>}
      </nav>
      {down && (
        <div class="banner" role="alert">
          The InfinStor server is not answering (is <code>infinstor ui</code> still running?). This page asks again every few
          seconds and reloads by itself when it is back. <button onClick={() => { void probe() }}>Try now</button>
        </div>
      )}
      <main>
        {route.page === 'buckets' && <Buckets list={buckets} />}
        {route.page === 'browse' && <Browse {...props} />}
        {route.page === 'slice' && <Slice {...props} />}
        {route.page === 'diff' && <Diff {...props} />}
        {route.page === 'labels' && <Labels {...props} onBucket={setLastBucket} />}
        {route.page === 'connection' && <Connection />}
        {!PAGES.some(([p]) => p === route.page) && <p>No such page. <a href={href('buckets')}>Go to the buckets</a>.</p>}
      </main>
    </div>
  )
}

/** The props every bucket page gets: the URL's parameters and the bucket names. */
export interface PageProps { params: URLSearchParams, buckets: string[] }
