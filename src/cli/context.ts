import { InfinError } from '../core/errors.js'
import { historyNote } from '../core/history-note.js'
import { parseTarget, type Target } from '../core/s3url.js'
import { openServices, type Services } from '../daemon/services.js'
import type { Engine, View } from '../engine/engine.js'
import type { CommandContext } from './commands.js'

export interface Opened {
  engine: Engine
  target: Target
  view: View
}

/** S3, labels and the engine, as the command's settings describe them. */
export function servicesFor (ctx: CommandContext): Services {
  return openServices(ctx.settings)
}

export function engineFor (ctx: CommandContext): Engine {
  return servicesFor(ctx).engine
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

/**
 * Why a view may be empty: its time is before the bucket's history begins.
 * Not an error (the listing is just empty), so it is said on stderr and the
 * command still succeeds; undefined when the view is within history.
 */
export async function historyNoteOf (engine: Engine, view: View): Promise<string | undefined> {
  const horizon = await engine.beforeHorizon(view)
  return horizon === undefined ? undefined : historyNote(view.bucket, view.name, horizon).message
}

export async function sayHistoryNote (engine: Engine, view: View): Promise<void> {
  const note = await historyNoteOf(engine, view)
  if (note !== undefined) process.stderr.write(`infinstor: note: ${note}\n`)
}

/** A "not found" that also says, when it applies, that the time is before the bucket's history. */
export async function notFoundAt (engine: Engine, view: View, message: string): Promise<InfinError> {
  const note = await historyNoteOf(engine, view)
  return new InfinError('NotFound', note === undefined ? message : `${message}: ${note}`)
}
