import { Settings } from '../config/settings.js'
import { Engine } from '../engine/engine.js'
import { openLabelStore } from '../labels/open.js'
import { Labels } from '../labels/service.js'
import { S3Access } from '../s3/access.js'

/** What every InfinStor process is built from. */
export interface Services {
  s3: S3Access
  engine: Engine
  labels: Labels
  settings: Settings
  /** Closes S3 connections and the history index. */
  close: () => Promise<void>
}

/**
 * The S3 client, the label store and the engine, as settings (flags,
 * environment, config file) describe them. The labels are the engine's
 * label lookup from the start, so `@NAME` resolves on every surface; the
 * history index (the `index` setting), if one exists, answers the views it
 * covers. Opening does no I/O: the index opens at its first use.
 */
export function openServices (settings: Settings = new Settings({})): Services {
  const s3 = new S3Access({
    endpoint: settings.get('endpoint'),
    region: settings.get('region'),
    pathStyle: settings.get('path-style'),
    attempts: settings.get('s3-attempts'),
    timeoutMs: settings.get('s3-timeout-ms'),
    concurrency: settings.get('s3-concurrency')
  })
  const labels = new Labels(openLabelStore(settings.get('label-store'), s3), {
    settleMarginMs: settings.get('settle-margin-ms'),
    cacheTtlMs: settings.get('live-ttl-ms')
  })
  const engine = new Engine(s3, {
    settleMarginMs: settings.get('settle-margin-ms'),
    liveTtlMs: settings.get('live-ttl-ms'),
    labels,
    // Loaded only when a view is asked for: commands that need no index do not load its engine.
    index: async () => await (await import('../index/open.js')).openIndex(settings.get('index'), { create: false })
  })
  return { s3, engine, labels, settings, close: async () => { await engine.close() } }
}
