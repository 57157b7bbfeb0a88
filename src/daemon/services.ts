import { SETTINGS, Settings } from '../config/settings.js'
import { attachLabels } from '../labels/open.js'
import { S3Access } from '../s3/access.js'
import { Engine } from '../engine/engine.js'

/**
 * Builds the engine from settings (flags, environment, config file), with
 * the configured label store attached, so `@NAME` resolves on every surface.
 */
export function openEngine (settings: Settings = new Settings(SETTINGS, {})): Engine {
  const s3 = new S3Access({
    endpoint: settings.str('endpoint'),
    region: settings.str('region'),
    pathStyle: settings.bool('path-style'),
    attempts: settings.num('s3-attempts'),
    timeoutMs: settings.num('s3-timeout-ms'),
    concurrency: settings.num('s3-concurrency')
  })
  const engine = new Engine(s3, {
    settleMarginMs: settings.num('settle-margin-ms'),
    liveTtlMs: settings.num('live-ttl-ms')
  })
  attachLabels(engine, settings)
  return engine
}
