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
  summary: 'turn on versioning for a bucket, so its history is kept from now on',
  usage: 'BUCKET',
  options: {},
  async run (ctx) {
    const bucket = bucketArg(ctx)
    const { before } = await engineFor(ctx).setVersioning(bucket, true)
    process.stdout.write(before === 'Enabled'
      ? `versioning was already enabled on '${bucket}'\n`
      : `versioning enabled on '${bucket}': from now on every overwrite and delete keeps the old version, so any later time can be viewed\n`)
    return 0
  }
}

export const disable: Command = {
  summary: 'suspend versioning for a bucket (history stays, new history is not kept)',
  usage: 'BUCKET',
  options: {},
  async run (ctx) {
    const bucket = bucketArg(ctx)
    await engineFor(ctx).setVersioning(bucket, false)
    process.stderr.write(
      `warning: versioning is now suspended on '${bucket}'. History written so far stays readable, but from now on\n` +
      'every overwrite and delete destroys the previous data for good, and views of times after now are not\n' +
      `reproducible. Run 'infinstor enable ${bucket}' to keep history again.\n`)
    return 0
  }
}

export const status: Command = {
  summary: 'show a bucket\'s versioning state, history horizon and size',
  usage: '[--json] BUCKET',
  options: { json: { type: 'boolean' } },
  async run (ctx) {
    const bucket = bucketArg(ctx)
    const s = await engineFor(ctx).summary(bucket)
    const horizon = s.horizon === undefined ? undefined : formatInstant(s.horizon)
    if (ctx.flags.json === true) {
      printJson({ ...s, horizon })
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
      `versions:        ${count(s.versions, 'version')}, ${count(s.deleteMarkers, 'delete marker')}`
    ].join('\n') + '\n')
    return 0
  }
}
