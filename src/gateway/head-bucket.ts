import type { Engine } from '../engine/engine.js'
import { sendEmpty, type Exchange } from './reply.js'
import { openView } from './views.js'

/** HeadBucket: the bucket exists (and the view of a `/@VIEW/` prefix resolves). */
export async function headBucket (x: Exchange, engine: Engine, bucket: string, viewText: string): Promise<void> {
  await openView(engine, bucket, viewText)
  sendEmpty(x, 200, { 'x-amz-bucket-region': 'us-east-1' })
}
