import { InfinError } from '../core/errors.js'
import { dirPrefix } from '../core/s3url.js'
import { horizonOf } from '../core/timespec.js'
import { versionJson, type Change } from '../core/versions.js'
import type { View } from '../engine/engine.js'
import type { Command } from './commands.js'
import { keyIn, needArgs, openTarget, printJson, sayHistoryNote } from './context.js'

const MARK = { added: 'A', modified: 'M', deleted: 'D' }

function sizes (c: Change): string {
  if (c.kind === 'added') return `${c.after?.size ?? 0}`
  if (c.kind === 'deleted') return `${c.before?.size ?? 0}`
  return `${c.before?.size ?? 0} -> ${c.after?.size ?? 0}`
}

function horizonOfView (view: View): number {
  return horizonOf(view.spec)
}

export const diff: Command = {
  summary: 'list keys added, modified and deleted between two times',
  usage: '[--json] s3://bucket/prefix@T1 @T2',
  options: { json: { type: 'boolean' } },
  async run (ctx) {
    needArgs(ctx, 2, 's3://bucket/prefix@T1 @T2')
    const a = await openTarget(ctx, ctx.args[0])
    const second = ctx.args[1]
    if (!second.startsWith('@')) throw new InfinError('Usage', `the second argument is a time like @2022-12-06, not '${second}'`)
    if (a.target.spec === undefined) throw new InfinError('Usage', 'the first argument needs a time: s3://bucket/prefix@T1')
    const b = await openTarget(ctx, `s3://${a.target.bucket}/${a.target.key}${second}`, a.engine)
    if (a.view.root !== b.view.root) {
      throw new InfinError('Usage', 'the two labels are rooted at different paths; compare times on one path')
    }
    // The path may name a file or a directory: take both, nothing beside them.
    const key = keyIn(a.view, a.target.key)
    const changes = (await a.engine.diff(a.view, b.view, key))
      .filter(c => c.key === key || c.key.startsWith(dirPrefix(key)))
    // The earlier time may well be before history; the later one too, and then the diff is empty for that reason.
    await sayHistoryNote(a.engine, horizonOfView(a.view) >= horizonOfView(b.view) ? a.view : b.view)
    if (ctx.flags.json === true) {
      printJson(changes.map(c => ({
        key: c.key,
        change: c.kind,
        before: c.before === undefined ? undefined : versionJson(c.before),
        after: c.after === undefined ? undefined : versionJson(c.after)
      })))
    } else if (changes.length > 0) {
      process.stdout.write(changes.map(c => `${MARK[c.kind]}  ${c.key}  (${sizes(c)} bytes)`).join('\n') + '\n')
    }
    return 0
  }
}
