import { join, resolve } from 'node:path'
import { configDir } from '../config/settings.js'
import { InfinError } from '../core/errors.js'
import { checkBucketName, dirPrefix } from '../core/s3url.js'
import type { S3Access } from '../s3/access.js'
import { LocalLabelStore } from './local.js'
import { S3LabelStore } from './s3store.js'
import type { LabelStore } from './store.js'

/** The default store's file. */
export function localStorePath (): string {
  return join(configDir(), 'labels.json')
}

/**
 * The label store the `label-store` setting names: 'local' (the default, a
 * file in the config directory), a path to such a file, or
 * s3://bucket/prefix/ for a store shared through S3 (over the data's own
 * S3 connection). Opening does no I/O.
 */
export function openLabelStore (value: string, s3: S3Access): LabelStore {
  if (value.startsWith('s3://')) {
    const rest = value.slice(5)
    const slash = rest.indexOf('/')
    const bucket = slash < 0 ? rest : rest.slice(0, slash)
    try {
      checkBucketName(bucket)
    } catch (e) {
      throw new InfinError('Usage', `--label-store ${value}: ${(e as Error).message}`)
    }
    return new S3LabelStore(s3, bucket, slash < 0 ? '' : dirPrefix(rest.slice(slash + 1)))
  }
  return new LocalLabelStore(value === 'local' ? localStorePath() : resolve(value))
}
