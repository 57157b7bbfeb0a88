import { formatInstant } from '../core/timespec.js'
import { versionJson } from '../core/versions.js'
import type { Command } from './commands.js'
import { keyIn, needArgs, openTarget, printJson } from './context.js'

export const stat: Command = {
  summary: 'show the version of a key at a time: version id, size, mtime, etag',
  usage: '[--json] s3://bucket/key@spec',
  options: { json: { type: 'boolean' } },
  async run (ctx) {
    needArgs(ctx, 1, 'one s3://bucket/key@spec')
    const { engine, target, view } = await openTarget(ctx, ctx.args[0])
    const v = await engine.stat(view, keyIn(view, target.key))
    if (ctx.flags.json === true) {
      printJson({ bucket: view.bucket, view: view.name, ...versionJson(v) })
    } else {
      process.stdout.write([
        `key:           ${v.key}`,
        `view:          ${view.name}`,
        `version:       ${v.versionId}`,
        `size:          ${v.size}`,
        `last modified: ${formatInstant(v.lastModified)}`,
        `etag:          ${v.etag}`
      ].join('\n') + '\n')
    }
    return 0
  }
}
