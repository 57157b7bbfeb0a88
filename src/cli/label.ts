import { InfinError } from '../core/errors.js'
import { labelJson, labelTargetText } from '../core/label-record.js'
import { checkBucketName } from '../core/s3url.js'
import { formatInstant } from '../core/timespec.js'
import type { Command, CommandContext } from './commands.js'
import { printJson, servicesFor } from './context.js'

const USAGE = [
  'create NAME s3://bucket/path@spec [-m DESCRIPTION]',
  '       label ls [--bucket B] [--json]',
  '       label show NAME [--json]',
  '       label rm NAME --force'
].join('\n')

function allowOnly (ctx: CommandContext, sub: string, flags: string[], args: number, usage: string): void {
  for (const flag of ['message', 'bucket', 'json', 'force']) {
    if (ctx.flags[flag] !== undefined && !flags.includes(flag)) throw new InfinError('Usage', `label ${sub} takes no --${flag}`)
  }
  if (ctx.args.length !== args + 1) throw new InfinError('Usage', `expected: infinstor label ${usage}`)
}

const SUBCOMMANDS: Record<string, (ctx: CommandContext) => Promise<number>> = {
  async create (ctx) {
    allowOnly(ctx, 'create', ['message'], 2, 'create NAME s3://bucket/path@spec [-m DESCRIPTION]')
    const message = ctx.flags.message
    const { labels, engine } = servicesFor(ctx)
    const label = await labels.create(engine, ctx.args[1], ctx.args[2],
      typeof message === 'string' ? message : undefined)
    process.stdout.write(`created label ${label.name}: ${labelTargetText(label)}\n`)
    return 0
  },

  async ls (ctx) {
    allowOnly(ctx, 'ls', ['bucket', 'json'], 0, 'ls [--bucket B] [--json]')
    const bucket = typeof ctx.flags.bucket === 'string'
      ? checkBucketName(ctx.flags.bucket.replace(/^s3:\/\//, '').replace(/\/$/, ''))
      : undefined
    const labels = await servicesFor(ctx).labels.list(bucket)
    if (ctx.flags.json === true) {
      printJson(labels.map(labelJson))
    } else if (labels.length > 0) {
      const width = Math.max(...labels.map(l => l.name.length))
      process.stdout.write(labels.map(l =>
        `${l.name.padEnd(width)}  ${labelTargetText(l)}  ${formatInstant(l.createdAt)}  ${l.creator}` +
        (l.description === undefined ? '' : `  ${JSON.stringify(l.description)}`)).join('\n') + '\n')
    }
    return 0
  },

  async show (ctx) {
    allowOnly(ctx, 'show', ['json'], 1, 'show NAME [--json]')
    const label = await servicesFor(ctx).labels.show(ctx.args[1])
    if (ctx.flags.json === true) {
      printJson(labelJson(label))
    } else {
      const lines = [
        `name:        ${label.name}`,
        `target:      ${labelTargetText(label)}`,
        `bucket:      ${label.bucket}`,
        `path:        ${label.prefix === '' ? '(the whole bucket)' : label.prefix}`,
        label.spec.kind === 'at'
          ? `snapshot at: ${formatInstant(label.spec.t)}`
          : `slice:       ingested after ${formatInstant(label.spec.from)}, live at ${formatInstant(label.spec.to)}`,
        `created:     ${formatInstant(label.createdAt)} by ${label.creator}`
      ]
      if (label.description !== undefined) lines.push(`description: ${label.description}`)
      process.stdout.write(lines.join('\n') + '\n')
    }
    return 0
  },

  async rm (ctx) {
    allowOnly(ctx, 'rm', ['force'], 1, 'rm NAME --force')
    if (ctx.flags.force !== true) {
      throw new InfinError('Usage', `deleting label '${ctx.args[1]}' is permanent and its name can never be reused; ` +
        'pass --force to delete it')
    }
    const removed = await servicesFor(ctx).labels.remove(ctx.args[1])
    process.stdout.write(`deleted label ${removed.label.name} (it named ${labelTargetText(removed.label)}); ` +
      'the name stays reserved\n')
    return 0
  }
}

export const label: Command = {
  summary: 'create, list, show and delete labels: immutable names for a bucket path at a time or slice',
  usage: USAGE,
  settings: ['label-store', 'settle-margin-ms'],
  options: {
    message: { type: 'string', short: 'm' },
    bucket: { type: 'string' },
    json: { type: 'boolean' },
    force: { type: 'boolean' }
  },
  async run (ctx) {
    const sub = ctx.args[0]
    const run = sub !== undefined && Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined
    if (run === undefined) {
      throw new InfinError('Usage', `${sub === undefined ? 'missing' : `unknown`} label subcommand` +
        `${sub === undefined ? '' : ` '${sub}'`}; usage: infinstor label ${USAGE}`)
    }
    return await run(ctx)
  }
}
