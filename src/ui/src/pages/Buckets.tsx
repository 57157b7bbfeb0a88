import { useState } from 'preact/hooks'
import { api, type BucketRow, type Summary } from '../api'
import { Confirm, Empty, ErrorBox, Progress } from '../components/feedback'
import { bytes, count, when } from '../format'
import { asApiError, useAsync, type Async } from '../hooks'
import type { ApiError } from '../api'
import { href } from '../router'
import { When } from '../components/When'

const STATE_TEXT: Record<string, string> = {
  Enabled: 'on',
  Suspended: 'suspended',
  Off: 'off (never enabled)'
}

/** Where the bucket stands in the history index: what it serves, and how fresh. */
function IndexCell ({ s }: { s: Summary }) {
  const ix = s.index
  if (ix === undefined) return <td class="index-state" title="views read S3 listings; `infinstor index BUCKET` builds an index">none</td>
  const detail = `${ix.engine} ${ix.location}; ${count(ix.versions)} versions, ${count(ix.deleteMarkers)} delete markers; ` +
    `last sweep ${ix.lastSweep === undefined ? 'never' : when(ix.lastSweep)}; last event ${ix.lastEvent === undefined ? 'none' : when(ix.lastEvent)}`
  return (
    <td class="index-state" title={detail}>
      {ix.watermark === undefined
        ? 'no sweep yet'
        : <>up to {when(ix.watermark)} <span class="muted">({Math.round((ix.lagMs ?? 0) / 60_000)} min behind)</span></>}
    </td>
  )
}

function Row ({ b, onChanged }: { b: BucketRow, onChanged: () => void }) {
  const summary = useAsync(async () => await api.summary(b.name), [b.name, b.versioning])
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | undefined>()
  const on = b.versioning === 'Enabled'
  const s = summary.value
  const toggle = async (): Promise<void> => {
    setBusy(true)
    setError(undefined)
    try {
      await api.setVersioning(b.name, !on)
      setAsking(false)
      onChanged()
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <tr data-bucket={b.name}>
      <td><a href={href('browse', { bucket: b.name })}>{b.name}</a></td>
      <td><span class={`badge ${b.versioning}`}>{STATE_TEXT[b.versioning] ?? b.versioning}</span></td>
      {s !== undefined
        ? <>
            <td><When iso={s.horizon} /></td>
            <td class="num">{count(s.liveObjects)}</td>
            <td class="num">{bytes(s.liveBytes)}</td>
            <td class="num">{count(s.versions)} / {count(s.deleteMarkers)}</td>
            <IndexCell s={s} />
          </>
        : <td colSpan={5}>{summary.error !== undefined ? <ErrorBox error={summary.error} /> : <Progress label="Counting objects…" elapsed={summary.elapsed} />}</td>}
      <td>
        <button class={on ? 'danger-outline' : 'primary'} onClick={() => setAsking(true)}>{on ? 'Disable InfinSnap' : 'Enable InfinSnap'}</button>
        {asking && (
          <Confirm title={on ? `Disable InfinSnap on ${b.name}?` : `Enable InfinSnap on ${b.name}?`} danger={on} busy={busy}
            confirmLabel={on ? 'Suspend versioning' : 'Enable versioning'} onConfirm={() => { void toggle() }} onCancel={() => { setAsking(false); setError(undefined) }}>
            {on
              ? <>
                  <p>This <strong>suspends S3 versioning</strong> on <code>{b.name}</code>.</p>
                  <ul>
                    <li>History written so far stays readable: past times still work.</li>
                    <li><strong>From now on every overwrite and delete destroys the previous data for good.</strong> Later times cannot be reproduced, and labels you make later may not mean what they say.</li>
                    <li>You can enable it again at any time; the gap stays.</li>
                  </ul>
                </>
              : <>
                  <p>This <strong>turns on S3 versioning</strong> for <code>{b.name}</code>.</p>
                  <ul>
                    <li>From now on every overwrite and delete keeps the previous version, so any time from now on can be browsed, diffed and labelled.</li>
                    <li>Nothing from before now can be recovered: history starts now.</li>
                    <li>Old versions take storage (and are billed) until a lifecycle rule expires them.</li>
                  </ul>
                </>}
            {error !== undefined && <ErrorBox error={error} />}
          </Confirm>
        )}
      </td>
    </tr>
  )
}

export function Buckets ({ list }: { list: Async<BucketRow[]> }) {
  return (
    <section>
      <h1>Buckets</h1>
      <p class="lead">Every bucket these credentials can see. InfinSnap is S3 versioning: with it on, the bucket can be viewed as it was at any time since the history horizon.</p>
      {list.error !== undefined && <ErrorBox error={list.error} />}
      {list.value === undefined && list.loading && <Progress label="Listing buckets…" elapsed={list.elapsed} />}
      {list.value !== undefined && list.value.length === 0 && <Empty>No buckets visible to these credentials.</Empty>}
      {list.value !== undefined && list.value.length > 0 && (
        <table class="grid">
          <thead>
            <tr><th>Bucket</th><th>InfinSnap</th><th>History since</th><th class="num">Objects now</th><th class="num">Size now</th><th class="num">Versions / delete markers</th><th>History index</th><th /></tr>
          </thead>
          <tbody>{list.value.map(b => <Row key={b.name} b={b} onChanged={list.reload} />)}</tbody>
        </table>
      )}
    </section>
  )
}
