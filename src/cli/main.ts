import { parseArgs, type ParseArgsConfig } from 'node:util'
import { InfinError, type ErrorCode } from '../core/errors.js'
import { SETTING_DEFS, Settings, type SettingDef, type SettingName } from '../config/settings.js'
import { COMMANDS, type Command } from './commands.js'

/** Exit codes, one per domain error; documented in the README. */
export const EXIT_CODES: Record<ErrorCode | 'Internal', number> = {
  Internal: 1,
  Usage: 2,
  BadSpec: 2,
  FutureTime: 2,
  NotFound: 3,
  NotVersioned: 4,
  AccessDenied: 5,
  Unavailable: 6,
  ReadOnly: 7,
  Conflict: 8,
  Corrupt: 9,
  TooLarge: 10
}

// A switch that is on by default takes a value, to be turned off (--huge-pages=false): Node 20's parseArgs has no --no-X.
const SETTING_OPTIONS: ParseArgsConfig['options'] = Object.fromEntries(SETTING_DEFS.map(s =>
  [s.name, { type: s.type === 'boolean' && s.default !== true ? 'boolean' : 'string' }]))

function settingLine (s: SettingDef): string {
  return `  --${s.name.padEnd(18)} ${s.help}${s.default === undefined ? '' : ` (default: ${String(s.default)})`} [$${s.env}]`
}

async function usage (): Promise<string> {
  const width = Math.max(...Object.keys(COMMANDS).map(n => n.length))
  const lines = await Promise.all(Object.entries(COMMANDS).map(async ([name, load]) => `  ${name.padEnd(width)}  ${(await load()).summary}`))
  const settings = SETTING_DEFS.map(settingLine)
  return [
    'infinstor: see any versioned S3 bucket as it was at any past time.',
    '',
    'Usage: infinstor <command> [options]   (infinstor <command> --help for more)',
    '',
    'Commands:', ...lines,
    '',
    'Paths are s3://bucket/path@spec, where spec is a time (2022-12-06T00:00:00Z,',
    '2022-12-06, tm20221206000000), a slice (A..B or tmA-tmB), latest, or a label.',
    '',
    'Settings (for every command; also from the environment or the config file):', ...settings
  ].join('\n')
}

export async function main (argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await usage() + '\n')
    return name === undefined ? EXIT_CODES.Usage : 0
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (load === undefined) {
    const near = nearest(name, Object.keys(COMMANDS))
    process.stderr.write(`infinstor: unknown command '${name}'.${near === undefined ? '' : ` Did you mean '${near}'?`}` +
      ` ('infinstor --help' lists the commands)\n`)
    return EXIT_CODES.Usage
  }
  try {
    const command = await load()
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: { ...SETTING_OPTIONS, ...command.options, help: { type: 'boolean', short: 'h' } }
    })
    if (values.help === true) {
      process.stdout.write(commandHelp(name, command))
      return 0
    }
    const settings = new Settings(values)
    return await command.run({ args: positionals, flags: values, settings })
  } catch (e) {
    return report(e, name)
  }
}

/** A command's usage, its own options with their defaults, and where the settings are. */
function commandHelp (name: string, command: Command): string {
  const options = Object.entries(command.options).map(([flag, o]) => {
    const short = o.short === undefined ? '    ' : `-${o.short}, `
    const arg = o.type === 'string' ? ` ${flag.toUpperCase()}` : ''
    return `  ${short}--${flag}${arg}${o.default === undefined ? '' : ` (default: ${String(o.default)})`}`
  })
  const settings = SETTING_DEFS.filter(s => command.settings?.includes(s.name as SettingName) === true).map(settingLine)
  return [
    `Usage: infinstor ${name} ${command.usage}`, '', command.summary,
    ...(options.length === 0 ? [] : ['', 'Options:', ...options]),
    ...(settings.length === 0 ? [] : ['', 'Settings (also from the environment or the config file):', ...settings]),
    '', `${settings.length === 0 ? 'Every setting' : 'Every other setting'} (--endpoint, --region, ...) applies too: ` +
      "'infinstor --help' lists them with their defaults.", ''
  ].join('\n')
}

/** The closest name to a typo, if one is close enough to be what was meant. */
export function nearest (typed: string, names: readonly string[]): string | undefined {
  let best: { name: string, d: number } | undefined
  for (const name of names) {
    const d = editDistance(typed.toLowerCase(), name)
    if (best === undefined || d < best.d) best = { name, d }
  }
  return best !== undefined && best.d <= Math.max(1, Math.floor(best.name.length / 3)) ? best.name : undefined
}

function editDistance (a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = row
  }
  return prev[b.length]
}

/** One line for a failure that is not a domain error: its cause, and that it is a bug. */
export function internalError (e: unknown): string {
  const cause = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  return `infinstor: internal error: ${cause.split('\n')[0]} (a bug: please report it, with the command that failed)\n`
}

function report (e: unknown, command: string): number {
  if (e instanceof InfinError) {
    process.stderr.write(`infinstor: ${e.message}\n`)
    return EXIT_CODES[e.code]
  }
  const code = (e as { code?: string }).code
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    // Node's own message ends in an unbalanced quote; this one names the way out.
    const option = /'([^']*)'/.exec((e as Error).message)?.[1] ?? ''
    process.stderr.write(`infinstor: unknown option '${option}' for '${command}' ('infinstor ${command} --help' lists its options;` +
      ` a path that starts with '-' goes after '--', as in: infinstor ${command} -- ${option})\n`)
    return EXIT_CODES.Usage
  }
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`infinstor: ${(e as Error).message}\n`)
    return EXIT_CODES.Usage
  }
  process.stderr.write(internalError(e))
  return EXIT_CODES.Internal
}

/** The entry point of bin/infinstor. */
export function run (): void {
  // Writing into a closed pipe (`infinstor cat … | head`) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0)
    throw e
  })
  main(process.argv.slice(2)).then(code => { process.exitCode = code }, e => {
    process.stderr.write(internalError(e))
    process.exitCode = EXIT_CODES.Internal
  })
}
