import { InfinError } from '../../core/errors.js'
import { checkBucketName } from '../../core/s3url.js'
import { formatInstant, formatSpec, parseSpec, type TimeSpec } from '../../core/timespec.js'
import type { AppDeps } from '../../daemon/http-app.js'
import type { Router } from '../../server/http.js'
import { query, required } from './params.js'

function times (spec: TimeSpec): Record<string, string> {
  if (spec.kind === 'at') return { t: formatInstant(spec.t) }
  if (spec.kind === 'slice') return { from: formatInstant(spec.from), to: formatInstant(spec.to) }
  return {}
}

/** Checks spec text as typed (a time, a slice, latest or a label), so forms can say what is wrong. */
export function specRoutes (router: Router, { engine }: AppDeps): void {
  router.get(/^\/api\/infinstor\/specs$/, async req => {
    const text = required(req, 'text').trim()
    const bucketText = query(req, 'bucket')
    const bucket = bucketText === undefined ? undefined : checkBucketName(bucketText)
    const spec = parseSpec(text, await engine.serverNow(bucket))
    if (spec.kind !== 'label') return { json: { canonical: formatSpec(spec), kind: spec.kind, ...times(spec) } }
    if (engine.labels === undefined) return { json: { canonical: spec.name, kind: 'label' } }
    const target = await engine.labels.resolve(spec.name)
    if (target === undefined) throw new InfinError('NotFound', `no label named '${spec.name}' (and it is not a time: ${text} is read as a label name)`)
    if (bucket !== undefined && target.bucket !== bucket) {
      throw new InfinError('NotFound', `label '${spec.name}' belongs to bucket '${target.bucket}', not '${bucket}'`)
    }
    return {
      json: {
        canonical: spec.name,
        kind: 'label',
        bucket: target.bucket,
        prefix: target.prefix,
        spec: formatSpec(target.spec),
        ...times(target.spec)
      }
    }
  })
}
