// infinstor jupyter install/uninstall: where the prebuilt extension goes, and that it arrives whole.
import { execFile } from 'node:child_process'
import { chmod, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import t from 'tap'
import { BUILT, pythonOf } from '../../src/jupyter/install.js'
import { BIN } from '../helpers/s3env.js'
import { VENV_BIN } from '../helpers/jupyterlab.js'

const NAME = ['@infinstor', 'jupyterlab']

async function run (args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number, stdout: string, stderr: string }> {
  return await new Promise(resolve => {
    execFile(process.execPath, [BIN, 'jupyter', ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr })
    })
  })
}

async function files (dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    out.set(relative(dir, path), (await readFile(path)).toString('base64'))
  }
  return out
}

t.test('--data-dir and --prefix get an exact copy; a reinstall replaces it', async t => {
  const tmp = await mkdtemp(join(tmpdir(), 'infinstor-jupyter-'))
  const r = await run(['install', '--data-dir', join(tmp, 'data')])
  t.equal(r.code, 0, r.stderr)
  const dest = join(tmp, 'data', 'labextensions', ...NAME)
  t.match(r.stdout, dest)
  const built = await files(BUILT)
  t.ok([...built.keys()].some(k => k.startsWith('static/remoteEntry.')), 'the build has a remote entry')
  t.same(await files(dest), built)
  await writeFile(join(dest, 'static', 'stale.js'), 'old')
  t.equal((await run(['install', '--data-dir', join(tmp, 'data')])).code, 0)
  t.same(await files(dest), built, 'files of an older install are gone')

  t.equal((await run(['install', '--prefix', join(tmp, 'prefix')])).code, 0)
  t.ok((await stat(join(tmp, 'prefix', 'share', 'jupyter', 'labextensions', ...NAME, 'package.json'))).isFile())
  const u = await run(['uninstall', '--prefix', join(tmp, 'prefix')])
  t.match(u.stdout, /^removed /)
  t.match((await run(['uninstall', '--prefix', join(tmp, 'prefix')])).stdout, /nothing to remove/)
})

t.test('--user and --sys-prefix ask the Python behind jupyter', async t => {
  const tmp = await mkdtemp(join(tmpdir(), 'infinstor-jupyter-'))
  const jupyter = join(VENV_BIN, 'jupyter')
  const user = await run(['install', '--user', '--jupyter', jupyter], { JUPYTER_DATA_DIR: join(tmp, 'user') })
  t.equal(user.code, 0, user.stderr)
  t.ok((await stat(join(tmp, 'user', 'labextensions', ...NAME, 'package.json'))).isFile(), 'jupyter --data-dir is honoured')
  // Uninstalling where nothing is installed proves the path without writing into the shared venv.
  const sys = await run(['uninstall', '--jupyter', jupyter])
  t.equal(sys.code, 0, sys.stderr)
  t.match(sys.stdout, `${join(VENV_BIN, '..', 'share', 'jupyter', 'labextensions', ...NAME).replace('/bin/..', '')}`)
  const onPath = await run(['uninstall', '--sys-prefix'], { PATH: `${VENV_BIN}:${process.env.PATH ?? ''}` })
  t.equal(onPath.stdout, sys.stdout, 'the jupyter on PATH is found')
})

t.test('the Python behind a jupyter script', async t => {
  const tmp = await mkdtemp(join(tmpdir(), 'infinstor-jupyter-'))
  const script = async (name: string, text: string): Promise<string> => {
    const p = join(tmp, name)
    await writeFile(p, text)
    await chmod(p, 0o755)
    return p
  }
  t.equal(await pythonOf(await script('a', '#!/opt/env/bin/python3.11\nimport sys\n')), '/opt/env/bin/python3.11')
  t.equal(await pythonOf(await script('b', '#!/usr/bin/env python3\n')), 'python3')
  t.equal(await pythonOf(await script('c', '#!/bin/sh\n\'\'\'exec\' "/very/long path/bin/python" "$0" "$@"\n\' \'\'\'\n')), '/very/long path/bin/python')
})

t.test('bad usage is refused with exit code 2', async t => {
  t.equal((await run(['install', '--user', '--prefix', '/tmp/x'])).code, 2)
  t.equal((await run(['frobnicate'])).code, 2)
  const none = await run(['install'], { PATH: '/nonexistent' })
  t.equal(none.code, 2)
  t.match(none.stderr, /no jupyter command on PATH/)
})
