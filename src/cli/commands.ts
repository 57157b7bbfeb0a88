import type { ParseArgsConfig } from 'node:util'
import type { SettingName, Settings } from '../config/settings.js'
import { cat } from './cat.js'
import { cp } from './cp.js'
import { demo } from './demo.js'
import { diff } from './diff.js'
import { index } from './index-command.js'
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
  /** Settings that matter most to this command, listed with their defaults in its --help. */
  settings?: SettingName[]
  /** Returns the exit code; failures throw domain errors instead. */
  run: (ctx: CommandContext) => Promise<number>
}

export const COMMANDS: Record<string, Command> = {
  ls, cat, stat, log, diff, cp, label, enable, disable, status, index, mount, unmount, serve, ui, keys, jupyter, demo
}
