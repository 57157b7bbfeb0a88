import { InfinError } from '../../core/errors.js'
import { formatInstant } from '../../core/timespec.js'
import type { AppDeps } from '../../daemon/http-app.js'
import type { Router } from '../../server/http.js'
import { bucketParam } from './params.js'

const BUCKET = String.raw`\/api\/infinstor\/buckets\/([^/]+)`

/** Buckets: the list, one bucket's summary, and turning InfinSnap (versioning) on and off. */
export function bucketRoutes (router: Router, { engine }: AppDeps): void {
  router.get(/^\/api\/infinstor\/buckets$/, async () => {
    const buckets = await engine.s3.listBuckets()
    const states = await Promise.all(buckets.map(async b => await engine.versioningOf(b.name).catch(() => 'Unknown')))
    return {
      json: buckets.map((b, i) => ({
        name: b.name,
        created: b.created === undefined ? null : formatInstant(b.created),
        versioning: states[i]
      }))
    }
  })

  router.get(new RegExp(`^${BUCKET}$`), async req => {
    const s = await engine.summary(bucketParam(req))
    return { json: { ...s, horizon: s.horizon === undefined ? null : formatInstant(s.horizon) } }
  })

  router.add('PUT', new RegExp(`^${BUCKET}/versioning$`), async req => {
    const bucket = bucketParam(req)
    const body = await req.json() as { enabled?: unknown }
    if (typeof body.enabled !== 'boolean') throw new InfinError('Usage', 'send {"enabled": true} or {"enabled": false}')
    const before = await engine.versioningOf(bucket)
    if (!body.enabled && before === 'Off') {
      throw new InfinError('NotVersioned', `versioning was never enabled on '${bucket}'; there is nothing to disable`)
    }
    await engine.s3.setVersioning(bucket, body.enabled)
    engine.forgetVersioning(bucket)
    return { json: { versioning: await engine.versioningOf(bucket) } }
  })
}
