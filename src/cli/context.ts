import { InfinError } from '../core/errors.js'
import { parseTarget, type Target } from '../core/s3url.js'
import type { Engine, View } from '../engine/engine.js'
import { openEngine } from '../daemon/services.js'
import type { CommandContext } from './commands.js'

export interface Opened {
  engine: Engine
  target: Target
  view: View
}

/** The engine as the command's settings describe it. */
export function engineFor (ctx: CommandContext): Engine {
  return openEngine(ctx.settings)
}

/** Parses `s3://bucket/path@spec` and resolves its view. */
export async function openTarget (ctx: CommandContext, text: string | undefined, engine = engineFor(ctx)): Promise<Opened> {
  if (text === undefined) throw new InfinError('Usage', 'missing s3://bucket/path@time argument')
  const target = parseTarget(text)
  const view = await engine.view(target.bucket, target.spec)
  return { engine, target, view }
}

/** The key a target names, under the view's root (a label may root it below the bucket). */
export function keyIn (view: View, key: string): string {
  return view.root + key
}

export function needArgs (ctx: CommandContext, n: number, usage: string): void {
  if (ctx.args.length !== n) throw new InfinError('Usage', `expected ${usage}`)
}

export function printJson (value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
}
