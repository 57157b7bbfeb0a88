import { go } from '../router'

/** For pages opened without a bucket: choose one, keeping the page. */
export function BucketPicker ({ page, buckets, current, extra = {} }: {
  page: string
  buckets: string[]
  current?: string
  extra?: Record<string, string | undefined>
}) {
  return (
    <label class="bucketpicker">
      Bucket
      <select aria-label="bucket" value={current ?? ''} onChange={e => go(page, { ...extra, bucket: (e.currentTarget as HTMLSelectElement).value })}>
        <option value="" disabled>choose a bucket…</option>
        {buckets.map(b => <option key={b} value={b}>{b}</option>)}
      </select>
    </label>
  )
}
