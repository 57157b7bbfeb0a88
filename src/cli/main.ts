import { parseArgs, type ParseArgsConfig } from 'node:util'
import { InfinError, type ErrorCode } from '../core/errors.js'
import { SETTING_DEFS, Settings } from '../config/settings.js'
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

const SETTING_OPTIONS: ParseArgsConfig['options'] = Object.fromEntries(SETTING_DEFS.map(s =>
  [s.name, { type: s.type === 'boolean' ? 'boolean' : 'string' }]))

function usage (): string {
  const width = Math.max(...Object.keys(COMMANDS).map(n => n.length))
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  const settings = SETTING_DEFS.map(s => `  --${s.name.padEnd(18)} ${s.help} [$${s.env}]`)
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
    process.stdout.write(usage() + '\n')
    return name === undefined ? EXIT_CODES.Usage : 0
  }
  const command: Command | undefined = COMMANDS[name]
  if (command === undefined) {
    process.stderr.write(`infinstor: unknown command '${name}'\n\n${usage()}\n`)
    return EXIT_CODES.Usage
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: { ...SETTING_OPTIONS, ...command.options, help: { type: 'boolean', short: 'h' } }
    })
    if (values.help === true) {
      process.stdout.write(`Usage: infinstor ${name} ${command.usage}\n\n${command.summary}\n`)
      return 0
    }
    const settings = new Settings(values)
    return await command.run({ args: positionals, flags: values, settings })
  } catch (e) {
    return report(e)
  }
}

function report (e: unknown): number {
  if (e instanceof InfinError) {
    process.stderr.write(`infinstor: ${e.message}\n`)
    return EXIT_CODES[e.code]
  }
  const code = (e as { code?: string }).code
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`infinstor: ${(e as Error).message}\n`)
    return EXIT_CODES.Usage
  }
  process.stderr.write(`infinstor: internal error: ${(e as Error)?.stack ?? String(e)}\n`)
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
    process.stderr.write(`infinstor: ${String(e)}\n`)
    process.exitCode = EXIT_CODES.Internal
  })
}
