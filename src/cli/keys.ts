import { InfinError } from '../core/errors.js'
import { formatInstant } from '../core/timespec.js'
import { gatewayUrl } from '../gateway/index.js'
import { KeyStore } from '../gateway/keys.js'
import type { Command, CommandContext } from './commands.js'
import { printJson } from './context.js'

const USAGE = [
  'create [--name N] [--json]',
  '       keys ls [--json]',
  '       keys rm ID|NAME'
].join('\n')

function allowOnly (ctx: CommandContext, sub: string, flags: string[], args: number, usage: string): void {
  for (const flag of ['name', 'json']) {
    if (ctx.flags[flag] !== undefined && !flags.includes(flag)) throw new InfinError('Usage', `keys ${sub} takes no --${flag}`)
  }
  if (ctx.args.length !== args + 1) throw new InfinError('Usage', `expected: infinstor keys ${usage}`)
}

const SUBCOMMANDS: Record<string, (ctx: CommandContext, store: KeyStore) => Promise<number>> = {
  async create (ctx, store) {
    allowOnly(ctx, 'create', ['name', 'json'], 0, 'create [--name N] [--json]')
    const name = typeof ctx.flags.name === 'string' ? ctx.flags.name : undefined
    const key = await store.create(name)
    if (ctx.flags.json === true) {
      printJson({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, ...(name === undefined ? {} : { name }) })
      return 0
    }
    const url = gatewayUrl(ctx.settings) ?? 'http://127.0.0.1:PORT'
    process.stdout.write([
      `access key id:     ${key.accessKeyId}`,
      `secret access key: ${key.secretAccessKey}`,
      '',
      `Kept in ${store.path} (0600); a running gateway accepts it at once. For example:`,
      `  AWS_ACCESS_KEY_ID=${key.accessKeyId} AWS_SECRET_ACCESS_KEY='${key.secretAccessKey}' \\`,
      `    python3 -c "import boto3; print(boto3.client('s3', endpoint_url='${url}').list_buckets()['Buckets'])"`,
      ''
    ].join('\n'))
    return 0
  },

  async ls (ctx, store) {
    allowOnly(ctx, 'ls', ['json'], 0, 'ls [--json]')
    const keys = await store.list()
    if (ctx.flags.json === true) {
      printJson(keys.map(k => ({ accessKeyId: k.accessKeyId, ...(k.name === undefined ? {} : { name: k.name }), createdAt: formatInstant(k.createdAt) })))
    } else if (keys.length > 0) {
      const width = Math.max(...keys.map(k => (k.name ?? '').length))
      process.stdout.write(keys.map(k => `${k.accessKeyId}  ${(k.name ?? '').padEnd(width)}  ${formatInstant(k.createdAt)}`).join('\n') + '\n')
    }
    return 0
  },

  async rm (ctx, store) {
    allowOnly(ctx, 'rm', [], 1, 'rm ID|NAME')
    const removed = await store.remove(ctx.args[1])
    process.stdout.write(`removed key ${removed.accessKeyId}${removed.name === undefined ? '' : ` (${removed.name})`}; ` +
      'the gateway refuses it from now on\n')
    return 0
  }
}

export const keys: Command = {
  summary: 'create, list and remove access keys for the S3 gateway (SigV4; kept 0600 in the config directory)',
  usage: USAGE,
  options: {
    name: { type: 'string' },
    json: { type: 'boolean' }
  },
  async run (ctx) {
    const sub = ctx.args[0]
    const run = sub !== undefined && Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined
    if (run === undefined) {
      throw new InfinError('Usage', `${sub === undefined ? 'missing' : 'unknown'} keys subcommand` +
        `${sub === undefined ? '' : ` '${sub}'`}; usage: infinstor keys ${USAGE}`)
    }
    return await run(ctx, new KeyStore())
  }
}
