import { join, resolve } from 'node:path'
import { configDir, type Settings } from '../config/settings.js'
import { InfinError } from '../core/errors.js'
import { checkBucketName, dirPrefix } from '../core/s3url.js'
import type { Engine } from '../engine/engine.js'
import { Labels } from './service.js'
import { LocalLabelStore } from './local.js'
import { S3LabelStore } from './s3store.js'
import type { LabelStore } from './store.js'

/*
 * How every surface gets labels. openEngine(settings) (engine/open.ts)
 * calls attachLabels, so an engine from openEngine already resolves
 * `@NAME` in engine.view(bucket, 'NAME'): the view's root is the label's
 * prefix and its spec the label's time or slice. For the rest:
 *
 *   const labels = labelsOf(engine)
 *   await labels.list(bucket)   // Label[] of one bucket: `/<bucket>/@NAME` entries
 *   await labels.list()         // every live label: `/@labels/NAME` entries
 *   await labels.show(name)     // one Label, or NotFound (unknown or deleted)
 *   await labels.resolve(name)  // { bucket, prefix, spec }
 *   labelLinkPath(label)        // core/labels.ts: 'bucket/@spec/prefix', the symlink's meaning
 *   labelJson(label)            // core/labels.ts: the JSON the CLI prints, for HTTP APIs
 *
 * Lookups and listings are cached for live-ttl-ms. Errors are InfinErrors:
 * NotFound (unknown or deleted label), Corrupt (a store that cannot be
 * trusted), Unavailable (an unreachable shared store), AccessDenied.
 */

/** The default store's file. */
export function localStorePath (): string {
  return join(configDir(), 'labels.json')
}

/**
 * The label store the `label-store` setting names: 'local' (the default, a
 * file in the config directory), a path to such a file, or
 * s3://bucket/prefix/ for a store shared through S3 (using the engine's
 * S3 connection). Opening does no I/O.
 */
export function openLabelStore (settings: Settings, engine: Engine): LabelStore {
  const value = settings.str('label-store') ?? 'local'
  if (value.startsWith('s3://')) {
    const rest = value.slice(5)
    const slash = rest.indexOf('/')
    const bucket = slash < 0 ? rest : rest.slice(0, slash)
    try {
      checkBucketName(bucket)
    } catch (e) {
      throw new InfinError('Usage', `--label-store ${value}: ${(e as Error).message}`)
    }
    return new S3LabelStore(engine.s3, bucket, slash < 0 ? '' : dirPrefix(rest.slice(slash + 1)))
  }
  return new LocalLabelStore(value === 'local' ? localStorePath() : resolve(value))
}

/** Opens the configured store and makes it the engine's label lookup. */
export function attachLabels (engine: Engine, settings: Settings): Labels {
  const labels = new Labels(openLabelStore(settings, engine), engine, {
    settleMarginMs: settings.num('settle-margin-ms'),
    cacheTtlMs: settings.num('live-ttl-ms')
  })
  engine.labels = labels
  return labels
}

/** The labels of an engine made by openEngine: what the mount and the servers list and resolve. */
export function labelsOf (engine: Engine): Labels {
  if (!(engine.labels instanceof Labels)) throw new Error('this engine was opened without labels (use openEngine)')
  return engine.labels
}
