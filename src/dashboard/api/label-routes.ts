import { InfinError } from '../../core/errors.js'
import type { DeletedLabelReply } from '../../core/api-types.js'
import { labelRecord } from '../../core/label-record.js'
import { checkBucketName } from '../../core/s3url.js'
import type { Router } from '../../server/http.js'
import type { DashboardDeps } from './deps.js'
import { nameParam, query } from './params.js'

const LABEL = String.raw`\/api\/infinstor\/labels\/([^/]+)`

function text (body: Record<string, unknown>, field: string, optional = false): string | undefined {
  const v = body[field]
  if (v === undefined && optional) return undefined
  if (typeof v !== 'string') throw new InfinError('Usage', `'${field}' must be text`)
  return v
}

/** Labels: list, show, create (checked by Labels: name, time, path) and delete (permanent, so ?force=1). */
export function labelRoutes (router: Router, { engine, labels }: DashboardDeps): void {
  router.get(/^\/api\/infinstor\/labels$/, async req => {
    const bucket = query(req, 'bucket')
    const listed = await labels.list(bucket === undefined ? undefined : checkBucketName(bucket))
    return { json: listed.map(labelRecord) }
  })

  router.add('POST', /^\/api\/infinstor\/labels$/, async req => {
    const fields = await req.json('{"name", "bucket", "path", "spec", "description"?}')
    const name = text(fields, 'name') as string
    const bucket = checkBucketName(text(fields, 'bucket') as string)
    const path = (text(fields, 'path', true) ?? '').replace(/^\/+/, '')
    const spec = (text(fields, 'spec') as string).trim()
    if (spec === '') throw new InfinError('BadSpec', 'a label needs a time or a slice')
    const label = await labels.create(engine, name, `s3://${bucket}/${path}@${spec}`, text(fields, 'description', true))
    return { status: 201, json: labelRecord(label) }
  })

  router.get(new RegExp(`^${LABEL}$`), async req => {
    return { json: labelRecord(await labels.show(nameParam(req))) }
  })

  router.add('DELETE', new RegExp(`^${LABEL}$`), async req => {
    const name = nameParam(req)
    if (query(req, 'force') !== '1') {
      throw new InfinError('Usage', `deleting label '${name}' is permanent and its name can never be reused; repeat with ?force=1`)
    }
    const removed = await labels.remove(name)
    const json: DeletedLabelReply = { ...labelRecord(removed.label), deleted: true }
    return { json }
  })
}
