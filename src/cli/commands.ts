import type { ParseArgsConfig } from 'node:util'
import type { Settings } from '../config/settings.js'
import { cat } from './cat.js'
import { cp } from './cp.js'
import { demo } from './demo.js'
import { diff } from './diff.js'
import { jupyter } from './jupyter.js'
import { keys } from './keys.js'
import { label } from './label.js'
import { log } from './log.js'
import { ls } from './ls.js'
import { mount } from './mount.js'
import { serve } from './serve.js'
import { stat } from './stat.js'
import { ui } from './ui.js'
import { unmount } from './unmount.js'
import { disable, enable, status } from './versioning.js'

export interface CommandContext {
  args: string[]
  flags: Record<string, string | boolean | Array<string | boolean> | undefined>
  settings: Settings
}

export interface Command {
  summary: string
  usage: string
  options: NonNullable<ParseArgsConfig['options']>
  /** Returns the exit code; failures throw domain errors instead. */
  run: (ctx: CommandContext) => Promise<number>
}

export const COMMANDS: Record<string, Command> = {
  ls, cat, stat, log, diff, cp, label, enable, disable, status, mount, unmount, serve, ui, keys, jupyter, demo
}
