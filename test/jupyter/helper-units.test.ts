// Pure parts of the Python package, run by the test venv's Python: targets as the CLI reads them,
// /proc/mounts escapes, which mounts count as running, and how the server extension finds `infinstor`.
import { execFile } from 'node:child_process'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { VENV_BIN } from '../helpers/jupyterlab.js'

async function python (code: string, env: NodeJS.ProcessEnv = {}): Promise<unknown> {
  const { stdout } = await promisify(execFile)(`${VENV_BIN}python`, ['-c', code], { env: { ...process.env, ...env } })
  return JSON.parse(stdout)
}

t.test('bucket/path@spec, as the CLI reads it: the spec is after the last @ when no / follows', async t => {
  const cases = ['sales/q4/train.csv', 's3://sales/q4/train.csv@2022-12-06', 'sales/user@host/x.csv', 'sales@train-v3', 'sales/k@word@latest', 'sales']
  t.same(await python(`import json; from infinstor._views import split_target; print(json.dumps([split_target(x) for x in ${JSON.stringify(cases)}]))`), [
    ['sales', 'q4/train.csv', null],
    ['sales', 'q4/train.csv', '2022-12-06'],
    ['sales', 'user@host/x.csv', null],
    ['sales', '', 'train-v3'],
    ['sales', 'k@word', 'latest'],
    ['sales', '', null]
  ])
  const err = await python('import json\nfrom infinstor._views import split_target\ntry:\n  split_target("@latest")\nexcept Exception as e:\n  print(json.dumps(str(e)))')
  t.match(err, /names no bucket/)
})

t.test('mount points with odd characters, and only live mounts count', async t => {
  t.equal(await python('import json; from infinstor._local import _unescape; print(json.dumps(_unescape(r"/mnt/a\\040b\\011c\\134d")))'), '/mnt/a b\tc\\d')
  const state = await mkdtemp(join(tmpdir(), 'infinstor-units-'))
  t.teardown(async () => await rm(state, { recursive: true, force: true }))
  await mkdir(join(state, 'infinstor', 'mounts'), { recursive: true })
  // A status file left by a process that is gone, and one for a path that is not mounted.
  await writeFile(join(state, 'infinstor', 'mounts', 'a.json'), JSON.stringify({ mountpoint: '/nowhere', pid: 2 ** 22 + 7, started: 'x', http: 'http://127.0.0.1:1' }))
  await writeFile(join(state, 'infinstor', 'mounts', 'b.json'), JSON.stringify({ mountpoint: '/nowhere', pid: process.pid, started: 'x' }))
  await writeFile(join(state, 'infinstor', 'mounts', 'c.json'), '{ not json')
  t.same(await python('import json; from infinstor._local import mounts; print(json.dumps([m.mountpoint for m in mounts()]))', { XDG_STATE_HOME: state }), [])
})

t.test('the token: INFINSTOR_TOKEN, else the config file\'s token-file, else the config dir\'s token file', async t => {
  const home = await mkdtemp(join(tmpdir(), 'infinstor-units-'))
  t.teardown(async () => await rm(home, { recursive: true, force: true }))
  await mkdir(join(home, 'infinstor'), { recursive: true })
  await writeFile(join(home, 'infinstor', 'token'), 'from-dir\n')
  await writeFile(join(home, 'other-token'), 'from-setting\n')
  const read = 'import json; from infinstor._local import token; print(json.dumps(token()))'
  const env = { XDG_CONFIG_HOME: home, INFINSTOR_CONFIG: join(home, 'none.json'), INFINSTOR_TOKEN: '', INFINSTOR_TOKEN_FILE: '' }
  t.equal(await python(read, env), 'from-dir')
  await writeFile(join(home, 'config.json'), JSON.stringify({ 'token-file': join(home, 'other-token') }))
  t.equal(await python(read, { ...env, INFINSTOR_CONFIG: join(home, 'config.json') }), 'from-setting')
  t.equal(await python(read, { ...env, INFINSTOR_TOKEN: 'from-env' }), 'from-env')
  t.equal(await python(read, { ...env, XDG_CONFIG_HOME: join(home, 'empty') }), null)
})

t.test('the server extension finds infinstor: the setting, PATH, then INFINSTOR_HOME; else it says how', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'infinstor-units-'))
  t.teardown(async () => await rm(dir, { recursive: true, force: true }))
  await mkdir(join(dir, 'bin'))
  await writeFile(join(dir, 'bin', 'infinstor'), '#!/bin/sh\n')
  await chmod(join(dir, 'bin', 'infinstor'), 0o755)
  const find = (configured: string[], env: Record<string, string>): string =>
    'import json\nfrom infinstor_jupyter.daemon import find_command, Unavailable\n' +
    `try:\n  print(json.dumps(find_command(${JSON.stringify(configured)}, ${JSON.stringify(env)})))\n` +
    'except Unavailable as e:\n  print(json.dumps({"message": e.message, "fix": e.fix}))'
  t.same(await python(find([], { PATH: join(dir, 'bin') })), [join(dir, 'bin', 'infinstor')], 'on PATH')
  t.same(await python(find([], { PATH: '/nonexistent', INFINSTOR_HOME: dir })), [join(dir, 'bin', 'infinstor')], 'in a checkout')
  t.same(await python(find([join(dir, 'bin', 'infinstor'), '--quiet'], { PATH: '/nonexistent' })), [join(dir, 'bin', 'infinstor'), '--quiet'], 'the setting first')
  const none = await python(find([], { PATH: '/nonexistent' })) as { message: string, fix: string[] }
  t.match(none.message, /cannot find the infinstor command/)
  t.match(none.fix.join('\n'), /INFINSTOR_HOME=<checkout>/)
  const bad = await python(find([], { PATH: '/nonexistent', INFINSTOR_HOME: '/nonexistent' })) as { message: string }
  t.match(bad.message, 'INFINSTOR_HOME is /nonexistent, but /nonexistent/bin/infinstor is not an executable')
})
