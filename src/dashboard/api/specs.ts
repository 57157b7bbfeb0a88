import { InfinError } from '../../core/errors.js'
import { checkBucketName } from '../../core/s3url.js'
import { formatInstant, formatSpec, parseSpec, type TimeSpec } from '../../core/timespec.js'
import type { SpecReply } from '../../core/api-types.js'
import type { Router } from '../../server/http.js'
import type { DashboardDeps } from './deps.js'
import { query, required } from './params.js'

function times (spec: TimeSpec): Record<string, string> {
  if (spec.kind === 'at') return { t: formatInstant(spec.t) }
  if (spec.kind === 'slice') return { from: formatInstant(spec.from), to: formatInstant(spec.to) }
  return {}
}

/** Checks spec text as typed (a time, a slice, latest or a label), so forms can say what is wrong. */
export function specRoutes (router: Router, { engine, labels }: DashboardDeps): void {
  router.get(/^\/api\/infinstor\/specs$/, async req => {
    const text = required(req, 'text').trim()
    const bucketText = query(req, 'bucket')
    const bucket = bucketText === undefined ? undefined : checkBucketName(bucketText)
    const spec = parseSpec(text, await engine.serverNow(bucket))
    if (spec.kind !== 'label') return { json: { canonical: formatSpec(spec), kind: spec.kind, ...times(spec) } satisfies SpecReply }
    const target = await labels.resolve(spec.name)
    if (bucket !== undefined && target.bucket !== bucket) {
      throw new InfinError('NotFound', `label '${spec.name}' belongs to bucket '${target.bucket}', not '${bucket}'`)
    }
    const json: SpecReply = {
      canonical: spec.name,
      kind: 'label',
      bucket: target.bucket,
      prefix: target.prefix,
      spec: formatSpec(target.spec),
      ...times(target.spec)
    }
    return { json }
  })
}
