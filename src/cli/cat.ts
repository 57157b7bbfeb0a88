import { once } from 'node:events'
import type { Command } from './commands.js'
import { keyIn, needArgs, openTarget } from './context.js'

/** Read size per request: large enough to stream fast, small enough to bound memory. */
const CHUNK = 8 * 1024 * 1024

export const cat: Command = {
  summary: 'print a file as it was at a time',
  usage: 's3://bucket/key@spec',
  options: {},
  async run (ctx) {
    needArgs(ctx, 1, 'one s3://bucket/key@spec')
    const { engine, target, view } = await openTarget(ctx, ctx.args[0])
    const v = await engine.stat(view, keyIn(view, target.key))
    // Fetch the next chunk while the current one drains to stdout.
    let next = engine.read(view.bucket, v, 0, CHUNK)
    for (let offset = 0; offset < v.size; offset += CHUNK) {
      const chunk = await next
      if (offset + CHUNK < v.size) next = engine.read(view.bucket, v, offset + CHUNK, offset + 2 * CHUNK)
      if (!process.stdout.write(chunk)) await once(process.stdout, 'drain')
    }
    return 0
  }
}
