import type { Engine, View } from '../engine/engine.js'
import { toS3Error } from './errors.js'

/**
 * Resolves a view of a bucket, telling a missing bucket (NoSuchBucket)
 * from a view that names nothing (an unknown label: NoSuchKey) or cannot
 * be read (a bad spec, a time in the future, a bucket without history).
 */
export async function openView (engine: Engine, bucket: string, viewText: string): Promise<View> {
  try {
    await engine.versioningOf(bucket)
  } catch (e) {
    throw toS3Error(e, 'bucket')
  }
  try {
    return await engine.view(bucket, viewText)
  } catch (e) {
    throw toS3Error(e, 'view')
  }
}
