// The README and SEMANTICS.md must keep up with the code: settings, commands, exit codes, error mappings.
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { COMMANDS } from '../../src/cli/commands.js'
import { EXIT_CODES } from '../../src/cli/main.js'
import { settingsTable } from '../../src/config/docs.js'
import { InfinError, type ErrorCode } from '../../src/core/errors.js'
import { ERRNO, errnoOf } from '../../src/fs/errno.js'
import { HTTP_STATUS } from '../../src/server/errors.js'

const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
const semantics = await readFile(new URL('../../SEMANTICS.md', import.meta.url), 'utf8')

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

t.test("SEMANTICS.md's error table is the one each edge uses", async t => {
  const names = new Map<number, string>(Object.entries(ERRNO).map(([name, n]) => [n, name]))
  for (const code of Object.keys(HTTP_STATUS) as ErrorCode[]) {
    const errno = names.get(errnoOf(new InfinError(code, 'x')).errno)
    const row = new RegExp('\\n\\| `' + code + '` \\| [^|]+ \\| ' + String(errno) + ' \\| ' + String(HTTP_STATUS[code]) + ' \\| ' + String(EXIT_CODES[code]) + ' \\|')
    t.match(semantics, row, `${code}: ${String(errno)}, HTTP ${HTTP_STATUS[code]}, exit ${EXIT_CODES[code]}`)
  }
})
