// The README must keep up with the code: settings, commands and exit codes.
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { COMMANDS } from '../../src/cli/commands.js'
import { EXIT_CODES } from '../../src/cli/main.js'
import { settingsTable } from '../../src/config/docs.js'

const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')

t.test('the settings table matches the declarations (npm run docs regenerates it)', async t => {
  t.ok(readme.includes(settingsTable()), 'README settings table is current')
})

t.test('every command is documented', async t => {
  for (const name of Object.keys(COMMANDS)) {
    t.match(readme, new RegExp('`infinstor ' + name + '[ `]'), `README documents infinstor ${name}`)
  }
})

t.test('every exit code is documented', async t => {
  for (const code of new Set(Object.values(EXIT_CODES))) {
    t.match(readme, new RegExp(`\\n\\| ${code} \\| `), `README explains exit code ${code}`)
  }
})
