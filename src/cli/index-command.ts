import { InfinError } from '../core/errors.js'
import { checkBucketName } from '../core/s3url.js'
import { formatInstant } from '../core/timespec.js'
import { stopRequested, stoppedBy } from '../daemon/signals.js'
import { endpointOf } from '../index/endpoint.js'
import type { IndexStore } from '../index/open.js'
import { indexStatus } from '../index/status.js'
import type { SweepProgress, SweepResult } from '../index/sweep.js'
import type { IndexedBucket } from '../index/types.js'
import type { Command, CommandContext } from './commands.js'
import { printJson, servicesFor } from './context.js'
import { humanBytes } from './format.js'

export const index: Command = {
  summary: 'build the history index of a bucket with a full sweep; --watch keeps it current; --status shows it',
  usage: 'BUCKET [--watch [--queue URL]]   |   --status [BUCKET] [--json]',
  options: {
    status: { type: 'boolean' },
    json: { type: 'boolean' },
    watch: { type: 'boolean' },
    queue: { type: 'string' }
  },
  async run (ctx) {
    if (ctx.flags.status === true) return await showStatus(ctx)
    if (ctx.args.length !== 1) throw new InfinError('Usage', 'expected one bucket name (or --status)')
    const bucket = checkBucketName(ctx.args[0].replace(/^s3:\/\//, '').replace(/\/$/, ''))
    const pageSize = ctx.settings.get('index-page-size')
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
      throw new InfinError('Usage', `index-page-size must be a whole number from 1 to 1000, not ${pageSize}`)
    }
    const { openIndex } = await import('../index/open.js')
    const store = await openIndex(ctx.settings.get('index'), { create: true }) as IndexStore
    let stopped: NodeJS.Signals | undefined
    try {
      if (ctx.flags.watch !== true) return await sweepOnce(ctx, store, bucket, pageSize)
      stopped = await watch(ctx, store, bucket, pageSize)
    } finally {
      await store.close()
    }
    return await stoppedBy(stopped)
  }
}

/** One line on a terminal, rewritten at most five times a second. */
function progressLine (): { show: (p: SweepProgress) => void, end: () => void } {
  const tty = process.stderr.isTTY
  let last = 0
  let shown = false
  return {
    show (p) {
      if (!tty || Date.now() - last < 200) return
      last = Date.now()
      shown = true
      process.stderr.write(`\r\x1b[Ks3://${p.bucket}: ${p.pages} pages, ${p.entries.toLocaleString('en-US')} versions, ` +
        `${rate(p).toLocaleString('en-US')} versions/s, ${clock(p.elapsedMs)} elapsed${p.resumed ? ' (resumed)' : ''}`)
    },
    end () {
      if (shown) process.stderr.write('\r\x1b[K')
      shown = false
    }
  }
}

const rate = (p: SweepProgress): number => Math.round(p.entries / Math.max(p.elapsedMs, 1) * 1000)

function clock (ms: number): string {
  const s = Math.floor(ms / 1000)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return s >= 3600 ? `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}` : `${Math.floor(s / 60)}:${pad(s % 60)}`
}

function sweptLine (r: SweepResult): string {
  return `indexed s3://${r.bucket}: ${r.entries.toLocaleString('en-US')} versions and delete markers listed in ${r.pages} pages ` +
    `(${(r.elapsedMs / 1000).toFixed(1)} s, ${rate(r).toLocaleString('en-US')} versions/s${r.resumed ? ', resumed' : ''}); ` +
    `views up to ${formatInstant(r.watermark)} now come from the index`
}

async function sweepOnce (ctx: CommandContext, store: IndexStore, bucket: string, pageSize: number): Promise<number> {
  const progress = progressLine()
  const { sweep } = await import('../index/sweep.js')
  const { s3 } = servicesFor(ctx)
  try {
    const r = await sweep(s3, store, bucket, {
      settleMarginMs: ctx.settings.get('settle-margin-ms'), pageSize, onProgress: progress.show
    })
    progress.end()
    process.stdout.write(sweptLine(r) + '\n')
    if (r.versioning !== 'Enabled') {
      process.stderr.write(`note: versioning on '${bucket}' is ${r.versioning}, so its history is not final and is not served from the index\n`)
    }
    return 0
  } finally {
    progress.end()
    s3.destroy()
  }
}

/** Keeps the index current until a stop signal; returns that signal once the keeper has stopped. */
async function watch (ctx: CommandContext, store: IndexStore, bucket: string, pageSize: number): Promise<NodeJS.Signals | undefined> {
  const queueUrl = (ctx.flags.queue as string | undefined) ?? ctx.settings.get('index-queue')
  const [{ IndexKeeper }, { SqsAccess }] = await Promise.all([import('../index/keeper.js'), import('../s3/sqs.js')])
  const { s3 } = servicesFor(ctx)
  const sqs = queueUrl === undefined
    ? undefined
    : new SqsAccess({ region: ctx.settings.get('region'), attempts: ctx.settings.get('s3-attempts'), timeoutMs: ctx.settings.get('s3-timeout-ms') })
  const stop = new AbortController()
  let stopped: NodeJS.Signals | undefined
  void stopRequested().then(signal => { stopped = signal; stop.abort() })
  const progress = progressLine()
  const keeper = new IndexKeeper(s3, store, sqs, {
    buckets: [bucket],
    sweepIntervalMs: ctx.settings.get('index-sweep-interval') * 1000,
    settleMarginMs: ctx.settings.get('settle-margin-ms'),
    pageSize,
    queueUrl,
    onProgress: progress.show,
    onSweep: r => { progress.end(); process.stderr.write(sweptLine(r) + '\n') },
    onError: (what, e) => { progress.end(); process.stderr.write(`infinstor: ${what}: ${(e as Error).message}\n`) }
  })
  process.stderr.write(`keeping s3://${bucket} in the history index at ${store.location}` +
    (queueUrl === undefined ? ' by sweeps alone (no --queue)' : ` from events on ${queueUrl}`) +
    `, sweeping every ${ctx.settings.get('index-sweep-interval')} s; Ctrl-C stops\n`)
  try {
    await keeper.run(stop.signal)
  } finally {
    s3.destroy()
    sqs?.destroy()
  }
  return stopped
}

function ago (ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 120) return `${s} s`
  if (s < 7200) return `${Math.round(s / 60)} min`
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`
  return `${(s / 86400).toFixed(1)} days`
}

function statusText (store: IndexStore, b: IndexedBucket, here: string): string {
  const at = (t: number | undefined, none: string): string => t === undefined ? none : `${formatInstant(t)} (${ago(Date.now() - t)} ago)`
  const lines = [
    `bucket:      ${b.bucket}`,
    `index:       ${store.engine} ${store.location}`,
    `endpoint:    ${b.endpoint ?? 'unknown (indexed before endpoints were recorded)'}`,
    `versions:    ${b.versions.toLocaleString('en-US')} versions, ${b.deleteMarkers.toLocaleString('en-US')} delete markers; ` +
      `${b.liveObjects.toLocaleString('en-US')} objects (${humanBytes(b.liveBytes)}) at the last update`,
    `watermark:   ${b.watermark === undefined ? 'none yet: no sweep has completed, so every view reads S3' : `${formatInstant(b.watermark)} (lag ${ago(Date.now() - b.watermark)} behind now)`}`,
    `last sweep:  ${at(b.lastSweep, 'never')}`,
    `last event:  ${at(b.lastEvent, 'none')}`
  ]
  if (b.sweep !== undefined) {
    lines.push(`sweep:       under way or interrupted (resumes where it stopped): ${b.sweep.pages} pages, ` +
      `${b.sweep.versions.toLocaleString('en-US')} entries${b.sweep.marker === undefined ? '' : `, up to ${JSON.stringify(b.sweep.marker)}`}` +
      `${b.sweep.owner === undefined ? '' : `, by ${b.sweep.owner}`}`)
  }
  if (b.versioning !== undefined && b.versioning !== 'Enabled') lines.push(`note:        versioning is ${b.versioning}: the index does not serve this bucket`)
  if (b.endpoint !== here) {
    lines.push(`note:        this history is not of the bucket '${b.bucket}' at ${here} (the endpoint in use here), so views here read S3; ` +
      `'infinstor index ${b.bucket}' replaces it with the history from ${here}`)
  }
  return lines.join('\n')
}

async function showStatus (ctx: CommandContext): Promise<number> {
  if (ctx.args.length > 1) throw new InfinError('Usage', 'expected at most one bucket name')
  const setting = ctx.settings.get('index')
  const { describeIndex, openIndex } = await import('../index/open.js')
  const store = await openIndex(setting, { create: false })
  const json = ctx.flags.json === true
  if (store === undefined) {
    const none = `no history index at ${describeIndex(setting)} yet; run 'infinstor index BUCKET' to build one`
    if (ctx.args.length > 0) throw new InfinError('NotFound', none)
    if (json) printJson({ location: describeIndex(setting), buckets: [] })
    else process.stdout.write(none + '\n')
    return 0
  }
  // The S3 service this command would talk to (no request is sent): the index serves only buckets swept from it.
  const services = servicesFor(ctx)
  const here = endpointOf(services.s3)
  await services.close()
  try {
    const wanted = ctx.args[0]?.replace(/^s3:\/\//, '').replace(/\/$/, '')
    const buckets = wanted === undefined ? await store.buckets() : [await store.bucket(wanted)].filter(b => b !== undefined)
    if (wanted !== undefined && buckets.length === 0) {
      throw new InfinError('NotFound', `bucket '${wanted}' is not in the history index at ${store.location}; run 'infinstor index ${wanted}'`)
    }
    if (json) printJson({ engine: store.engine, location: store.location, buckets: buckets.map(b => indexStatus(store, b, here)) })
    else if (buckets.length === 0) process.stdout.write(`the history index at ${store.location} holds no bucket yet\n`)
    else process.stdout.write(buckets.map(b => statusText(store, b, here)).join('\n\n') + '\n')
    return 0
  } finally {
    await store.close()
  }
}
