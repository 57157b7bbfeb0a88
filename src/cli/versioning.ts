import type { IndexStatus } from '../core/api-types.js'
import { InfinError } from '../core/errors.js'
import { checkBucketName } from '../core/s3url.js'
import { formatInstant } from '../core/timespec.js'
import type { Command, CommandContext } from './commands.js'
import { engineFor, needArgs, printJson } from './context.js'
import { count, humanBytes } from './format.js'

function bucketArg (ctx: CommandContext): string {
  needArgs(ctx, 1, 'one bucket name')
  return checkBucketName(ctx.args[0].replace(/^s3:\/\//, '').replace(/\/$/, ''))
}

export const enable: Command = {
  summary: 'turn on versioning for a bucket, so its history is kept from now on (--events: send its changes to the history index\'s SQS queue)',
  usage: 'BUCKET [--events QUEUE_ARN]',
  options: { events: { type: 'string' } },
  async run (ctx) {
    const bucket = bucketArg(ctx)
    const engine = engineFor(ctx)
    const { before } = await engine.setVersioning(bucket, true)
    process.stdout.write(before === 'Enabled'
      ? `versioning was already enabled on '${bucket}'\n`
      : `versioning enabled on '${bucket}': from now on every overwrite and delete keeps the old version, so any later time can be viewed\n`)
    const queue = ctx.flags.events as string | undefined
    if (queue !== undefined) {
      if (!/^arn:[^:]+:sqs:[^:]*:[^:]*:[^:]+$/.test(queue)) throw new InfinError('Usage', `--events takes an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME), not '${queue}'`)
      await engine.setHistoryEvents(bucket, queue)
      process.stdout.write(`object changes in '${bucket}' now go to ${queue}; run 'infinstor index ${bucket} --watch --queue QUEUE_URL' to apply them\n`)
    }
    return 0
  }
}

export const disable: Command = {
  summary: 'suspend versioning for a bucket (history stays, new history is not kept)',
  usage: 'BUCKET',
  options: {},
  async run (ctx) {
    const bucket = bucketArg(ctx)
    const engine = engineFor(ctx)
    await engine.setVersioning(bucket, false)
    // New history is no longer kept, so events for the history index stop too.
    await engine.setHistoryEvents(bucket, undefined).catch((e: Error) => {
      process.stderr.write(`warning: could not remove the history index's event notification: ${e.message}\n`)
    })
    process.stderr.write(
      `warning: versioning is now suspended on '${bucket}'. History written so far stays readable, but from now on\n` +
      'every overwrite and delete destroys the previous data for good, and views of times after now are not\n' +
      `reproducible. Run 'infinstor enable ${bucket}' to keep history again.\n`)
    return 0
  }
}

/** Where the bucket's history index stands, in one line. */
function indexLine (bucket: string, index: IndexStatus | undefined): string {
  if (index === undefined) return `none (views read S3; 'infinstor index ${bucket}' builds one)`
  const where = `${index.engine} ${index.location}`
  if (index.sameEndpoint === false) {
    return `${where} holds a bucket '${bucket}' swept from ${index.endpoint ?? 'an unknown endpoint'}, not this one, so views read S3; ` +
      `'infinstor index ${bucket}' indexes this one instead`
  }
  if (index.watermark === undefined) return `${where}: no sweep has completed yet, so views read S3`
  const minutes = Math.round((index.lagMs ?? 0) / 60_000)
  return `${where}: views up to ${index.watermark} (${minutes} min behind now) come from it; ` +
    `last sweep ${index.lastSweep ?? 'never'}, last event ${index.lastEvent ?? 'none'}`
}

export const status: Command = {
  summary: 'show a bucket\'s versioning state, history horizon and size',
  usage: '[--json] BUCKET',
  options: { json: { type: 'boolean' } },
  async run (ctx) {
    const bucket = bucketArg(ctx)
    const engine = engineFor(ctx)
    const [s, index] = await Promise.all([engine.summary(bucket), engine.indexStatus(bucket)])
    const horizon = s.horizon === undefined ? undefined : formatInstant(s.horizon)
    if (ctx.flags.json === true) {
      printJson({ ...s, horizon, index })
      return 0
    }
    const note = {
      Enabled: 'history is kept',
      Suspended: 'history is NOT kept for new writes',
      Off: `no history is kept; run 'infinstor enable ${bucket}'`
    }[s.versioning]
    process.stdout.write([
      `bucket:          ${bucket}`,
      `versioning:      ${s.versioning} (${note})`,
      `history horizon: ${horizon ?? 'none yet'}${horizon === undefined ? '' : ' (before it, overwritten or deleted data is gone)'}`,
      `objects now:     ${s.liveObjects} (${humanBytes(s.liveBytes)})`,
      `versions:        ${count(s.versions, 'version')}, ${count(s.deleteMarkers, 'delete marker')}`,
      `history index:   ${indexLine(bucket, index)}`
    ].join('\n') + '\n')
    return 0
  }
}
