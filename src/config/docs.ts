import { SETTING_DEFS } from './settings.js'
import { describeValues } from './values.js'

export const TABLE_START = '<!-- settings-table: generated from src/config/settings.ts; test/docs.test.ts checks it -->'
export const TABLE_END = '<!-- /settings-table -->'

/** The README's settings table, made from the declarations. */
export function settingsTable (): string {
  const rows = SETTING_DEFS.map(s =>
    `| \`--${s.name}\` | \`${s.env}\` | ${s.default === undefined ? '' : `\`${String(s.default)}\``} | ${describeValues(s)} | ${s.help} |`)
  return [TABLE_START, '| flag | environment | default | values | meaning |', '|---|---|---|---|---|', ...rows, TABLE_END].join('\n')
}

/** Replaces the table in a README's text. */
export function withSettingsTable (readme: string): string {
  const start = readme.indexOf(TABLE_START)
  const end = readme.indexOf(TABLE_END)
  if (start < 0 || end < 0) throw new Error('README has no settings table markers')
  return readme.slice(0, start) + settingsTable() + readme.slice(end + TABLE_END.length)
}
