import { InfinError } from '../../core/errors.js'
import type { BucketRow, BucketSummary, VersioningReply } from '../../core/api-types.js'
import { formatInstant } from '../../core/timespec.js'
import type { Router } from '../../server/http.js'
import type { DashboardDeps } from './deps.js'
import { bucketParam } from './params.js'

const BUCKET = String.raw`\/api\/infinstor\/buckets\/([^/]+)`

/** Buckets: the list, one bucket's summary, and turning InfinSnap (versioning) on and off. */
export function bucketRoutes (router: Router, { engine }: DashboardDeps): void {
  router.get(/^\/api\/infinstor\/buckets$/, async () => {
    const buckets = await engine.buckets()
    const states = await Promise.all(buckets.map(async b => await engine.versioningOf(b.name).catch(() => 'Unknown' as const)))
    const json: BucketRow[] = buckets.map((b, i) => ({
      name: b.name,
      created: b.created === undefined ? null : formatInstant(b.created),
      versioning: states[i]
    }))
    return { json }
  })

  router.get(new RegExp(`^${BUCKET}$`), async req => {
    const bucket = bucketParam(req)
    const [s, index] = await Promise.all([engine.summary(bucket), engine.indexStatus(bucket)])
    const json: BucketSummary = { ...s, horizon: s.horizon === undefined ? null : formatInstant(s.horizon), index }
    return { json }
  })

  router.add('PUT', new RegExp(`^${BUCKET}/versioning$`), async req => {
    const bucket = bucketParam(req)
    const body = await req.json('{"enabled": true} or {"enabled": false}')
    if (typeof body.enabled !== 'boolean') throw new InfinError('Usage', 'send {"enabled": true} or {"enabled": false}')
    const { after } = await engine.setVersioning(bucket, body.enabled)
    const json: VersioningReply = { versioning: after }
    return { json }
  })
}
