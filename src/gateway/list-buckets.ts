import type { Engine } from '../engine/engine.js'
import { toS3Error } from './errors.js'
import { sendXml, type Exchange } from './reply.js'
import { el, xmlDocument } from './xml.js'

/** ListBuckets (`GET /`, also under a `/@VIEW/` prefix): what the gateway's S3 credentials can see. */
export async function listBuckets (x: Exchange, engine: Engine): Promise<void> {
  let buckets
  try {
    buckets = await engine.buckets()
  } catch (e) {
    throw toS3Error(e, 'bucket')
  }
  sendXml(x, xmlDocument(el('ListAllMyBucketsResult',
    el('Owner', el('ID', 'infinstor'), el('DisplayName', 'infinstor')),
    el('Buckets', ...buckets.map(b => el('Bucket',
      el('Name', b.name),
      el('CreationDate', new Date(b.created ?? 0).toISOString()))))
  )))
}
