// Whatever escapes the CLI's own error handling (a bug) is one line with its
// cause and "please report", exit code 1: never a stack trace.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { run } from '../helpers/mount.js'
import { BIN } from '../helpers/s3env.js'

/** A module preloaded into the CLI's process that fails later, outside any command's own handling. */
function preload (code: string): string {
  return `--import=data:text/javascript,${encodeURIComponent(code)}`
}

function lastResort (t: Test, r: { code: number | null, stderr: string }, cause: RegExp): void {
  t.equal(r.code, 1, 'exit code 1')
  // The server's own log lines (timestamped: the gateway it started, say) are not the error.
  const lines = r.stderr.split('\n').filter(l => l !== '' && !/^\d{4}-\d\d-\d\dT\S+Z /.test(l))
  t.equal(lines.length, 1, `one line:\n${r.stderr}`)
  t.match(lines[0], /^infinstor: /)
  t.match(lines[0], cause, 'with the cause')
  t.match(lines[0], /please report/)
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace')
}

t.test('an uncaught exception', async t => {
  const r = await run(process.execPath, [preload("setTimeout(() => { throw new TypeError('boom in a timer') }, 1500)"), BIN, 'serve', '--port', '0', '--s3-port', '0', '--token', 'x'])
  lastResort(t, r, /TypeError: boom in a timer/)
})

t.test('an unhandled rejection', async t => {
  const r = await run(process.execPath, [preload("setTimeout(() => { Promise.reject(new RangeError('lost promise')) }, 1500)"), BIN, 'serve', '--port', '0', '--s3-port', '0', '--token', 'x'])
  lastResort(t, r, /RangeError: lost promise/)
})

t.test('a thrown non-error value', async t => {
  const r = await run(process.execPath, [preload("setTimeout(() => { throw 'just a string' }, 1500)"), BIN, 'serve', '--port', '0', '--s3-port', '0', '--token', 'x'])
  lastResort(t, r, /just a string/)
})

t.test('the CLI cannot even load (no build)', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'infinstor-nobuild-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'bin'))
  copyFileSync(BIN, join(dir, 'bin', 'infinstor'))
  const r = await run(process.execPath, [join(dir, 'bin', 'infinstor'), '--help'])
  lastResort(t, r, /cannot start: Cannot find module/)
})
