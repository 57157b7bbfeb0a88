import type { ParseArgsConfig } from 'node:util'
import type { SettingName, Settings } from '../config/settings.js'

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

/**
 * Each command's code is loaded when it runs, not at start: a fresh
 * process (`infinstor ls`, answered by the history index) then loads only
 * what it uses, and its start is most of its time.
 */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  ls: async () => (await import('./ls.js')).ls,
  cat: async () => (await import('./cat.js')).cat,
  stat: async () => (await import('./stat.js')).stat,
  log: async () => (await import('./log.js')).log,
  diff: async () => (await import('./diff.js')).diff,
  cp: async () => (await import('./cp.js')).cp,
  label: async () => (await import('./label.js')).label,
  enable: async () => (await import('./versioning.js')).enable,
  disable: async () => (await import('./versioning.js')).disable,
  status: async () => (await import('./versioning.js')).status,
  index: async () => (await import('./index-command.js')).index,
  mount: async () => (await import('./mount.js')).mount,
  unmount: async () => (await import('./unmount.js')).unmount,
  serve: async () => (await import('./serve.js')).serve,
  ui: async () => (await import('./ui.js')).ui,
  keys: async () => (await import('./keys.js')).keys,
  jupyter: async () => (await import('./jupyter.js')).jupyter,
  demo: async () => (await import('./demo.js')).demo
}
