import { once } from 'node:events'
import type { Command } from './commands.js'
import { keyIn, needArgs, openTarget } from './context.js'

export const cat: Command = {
  summary: 'print a file as it was at a time',
  usage: 's3://bucket/key@spec',
  options: {},
  async run (ctx) {
    needArgs(ctx, 1, 'one s3://bucket/key@spec')
    const { engine, target, view } = await openTarget(ctx, ctx.args[0])
    const v = await engine.stat(view, keyIn(view, target.key))
    for await (const chunk of engine.readChunks(view.bucket, v)) {
      if (!process.stdout.write(chunk)) await once(process.stdout, 'drain')
    }
    return 0
  }
}
