import type { Log } from '../config/log.js'
import { formatInstant } from '../core/timespec.js'
import type { Services } from './services.js'

/**
 * Keeps the history index of the buckets the `index-keep` setting names,
 * inside a long-running process (a mount, `infinstor serve`): sweeps on
 * the `index-sweep-interval` schedule, and events from `index-queue` when
 * it is set. Returns how to stop it, or undefined when no bucket is named.
 * The process serves without it when it cannot start (the log says why).
 */
export async function keepIndex (services: Services, log: Log): Promise<(() => Promise<void>) | undefined> {
  const buckets = (services.settings.get('index-keep') ?? '').split(',').map(b => b.trim()).filter(b => b !== '')
  if (buckets.length === 0) return undefined
  try {
    return await startKeeper(services, buckets, log)
  } catch (e) {
    log.info(`history index not kept: ${(e as Error).message}`)
    return undefined
  }
}

async function startKeeper ({ s3, settings }: Services, buckets: string[], log: Log): Promise<() => Promise<void>> {
  const [{ openIndex }, { IndexKeeper }] = await Promise.all([import('../index/open.js'), import('../index/keeper.js')])
  const store = await openIndex(settings.get('index'), { create: true }) as NonNullable<Awaited<ReturnType<typeof openIndex>>>
  const queueUrl = settings.get('index-queue')
  const sqs = queueUrl === undefined
    ? undefined
    : new (await import('../s3/sqs.js')).SqsAccess({ region: settings.get('region'), attempts: settings.get('s3-attempts'), timeoutMs: settings.get('s3-timeout-ms') })
  const keeper = new IndexKeeper(s3, store, sqs, {
    buckets,
    sweepIntervalMs: settings.get('index-sweep-interval') * 1000,
    settleMarginMs: settings.get('settle-margin-ms'),
    pageSize: settings.get('index-page-size'),
    queueUrl,
    onSweep: r => log.info(`history index: swept s3://${r.bucket} (${r.entries} entries, ${r.pages} pages, ` +
      `${(r.elapsedMs / 1000).toFixed(1)} s); views up to ${formatInstant(r.watermark)} come from it`),
    onError: (what, e) => log.info(`history index: ${what}: ${(e as Error).message}`)
  })
  const stop = new AbortController()
  const running = keeper.run(stop.signal).catch(e => log.info(`history index: stopped: ${(e as Error).message}`))
  log.info(`keeping the history index at ${store.location} for ${buckets.join(', ')}` +
    (queueUrl === undefined ? ' by sweeps' : ` from events on ${queueUrl} and sweeps`))
  return async () => {
    stop.abort()
    await running
    await store.close()
    sqs?.destroy()
  }
}
