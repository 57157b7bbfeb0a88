import { InfinError } from '../core/errors.js'
import { parseTarget } from '../core/s3url.js'
import { formatInstant } from '../core/timespec.js'
import { versionJson } from '../core/versions.js'
import type { Command } from './commands.js'
import { engineFor, needArgs, printJson } from './context.js'

export const log: Command = {
  summary: 'show every version and delete marker of a key, newest first',
  usage: '[--json] s3://bucket/key',
  options: { json: { type: 'boolean' } },
  async run (ctx) {
    needArgs(ctx, 1, 'one s3://bucket/key')
    const target = parseTarget(ctx.args[0])
    if (target.spec !== undefined) {
      throw new InfinError('Usage', 'log shows the whole history of a key; leave out the @time')
    }
    const engine = engineFor(ctx)
    await engine.versioningOf(target.bucket)
    const { versions, isDir } = await engine.history(target.bucket, target.key)
    if (versions.length === 0) {
      const hint = isDir ? ' (it is a directory; use ls)' : ''
      throw new InfinError('NotFound', `s3://${target.bucket}/${target.key} has no history${hint}`)
    }
    if (ctx.flags.json === true) {
      printJson(versions.map(versionJson))
    } else {
      process.stdout.write(versions.map(v =>
        `${formatInstant(v.lastModified).padEnd(20)}  ${v.versionId.padEnd(36)}  ` +
        (v.deleteMarker ? 'deleted' : `${v.size} bytes  ${v.etag}`)).join('\n') + '\n')
    }
    return 0
  }
}
