// infinstor jupyter install/uninstall: pip installs the infinstor-jupyter package (the drive, the server
// extension enabled by default, the kernel helper) where JupyterLab finds them, or prints the pip command.
import { execFile } from 'node:child_process'
import { access, chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { BUILT, PACKAGE_DIR, pythonOf, WHEELS } from '../../src/jupyter/install.js'
import { BIN } from '../helpers/s3env.js'
import { VENV_BIN } from '../helpers/jupyterlab.js'

const NAME = ['@infinstor', 'jupyterlab']
const offline = await access(WHEELS).then(() => ` --no-index --find-links ${WHEELS}`, () => '')

async function run (args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number, stdout: string, stderr: string }> {
  return await new Promise(resolve => {
    execFile(process.execPath, [BIN, 'jupyter', ...args], { env: { ...process.env, ...env }, timeout: 600_000 }, (err, stdout, stderr) => {
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

const exists = async (p: string): Promise<boolean> => await access(p).then(() => true, () => false)

t.test('--print shows the pip command for the environment behind jupyter, offline when wheels are here', async t => {
  const python = `${VENV_BIN}python3`
  const r = await run(['install', '--print', '--jupyter', `${VENV_BIN}jupyter`])
  t.equal(r.code, 0, r.stderr)
  t.equal(r.stdout, `${python} -m pip install --quiet${offline} ${PACKAGE_DIR}\n`)
  t.equal((await run(['install', '--print', '--user', '--python', '/usr/bin/python3'])).stdout,
    `/usr/bin/python3 -m pip install --quiet --user${offline} ${PACKAGE_DIR}\n`)
  t.equal((await run(['uninstall', '--print', '--python', python])).stdout, `${python} -m pip uninstall --yes infinstor-jupyter\n`)
  const onPath = await run(['install', '--print'], { PATH: `${VENV_BIN}:${process.env.PATH ?? ''}` })
  t.equal(onPath.stdout, r.stdout, 'the jupyter on PATH is found')
})

t.test('--prefix: the labextension, the server extension\'s config and both Python packages land under it', async t => {
  const prefix = await mkdtemp(join(tmpdir(), 'infinstor-jupyter-'))
  t.teardown(async () => await rm(prefix, { recursive: true, force: true }))
  const r = await run(['install', '--prefix', prefix, '--python', `${VENV_BIN}python`])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, 'installed infinstor-jupyter')
  t.match(r.stdout, /nothing to set up/)
  const labext = join(prefix, 'share', 'jupyter', 'labextensions', ...NAME)
  const built = await files(BUILT)
  t.ok([...built.keys()].some(k => k.startsWith('static/remoteEntry.')), 'the build has a remote entry')
  const installed = await files(labext)
  t.ok(installed.has('install.json'), 'install.json tells JupyterLab it came from pip')
  installed.delete('install.json')
  t.same(installed, built, 'the labextension is the build, exactly')
  t.same(JSON.parse(await readFile(join(prefix, 'etc', 'jupyter', 'jupyter_server_config.d', 'infinstor_jupyter.json'), 'utf8')),
    { ServerApp: { jpserver_extensions: { infinstor_jupyter: true } } }, 'the server extension is enabled by default')
  const site = join(prefix, 'lib', (await readdir(join(prefix, 'lib')))[0], 'site-packages')
  t.ok(await exists(join(site, 'infinstor', '__init__.py')), 'the kernel helper')
  t.ok(await exists(join(site, 'infinstor_jupyter', 'app.py')), 'the server extension')
  t.same((await readdir(site)).filter(n => !n.startsWith('infinstor')).sort(), [], 'nothing else: the dependencies are the environment\'s')
  t.ok(await exists(join(VENV_BIN, '..', 'share', 'jupyter', 'labextensions', ...NAME, 'package.json')), 'and the environment keeps its own install')
  const u = await run(['uninstall', '--prefix', prefix, '--python', `${VENV_BIN}python`])
  t.equal(u.code, 2)
  t.match(u.stderr, /pip cannot uninstall from a --prefix/)
})

t.test('a fresh environment: install with its dependencies, import both packages, uninstall', async t => {
  const venv = await mkdtemp(join(tmpdir(), 'infinstor-venv-'))
  t.teardown(async () => await rm(venv, { recursive: true, force: true }))
  await promisify(execFile)('python3', ['-m', 'venv', venv])
  const python = join(venv, 'bin', 'python')
  const r = await run(['install', '--python', python])
  t.equal(r.code, 0, r.stderr)
  const check = 'import infinstor, infinstor_jupyter; print(infinstor.path.__doc__ is not None, infinstor_jupyter._jupyter_server_extension_points()[0]["module"])'
  t.equal((await promisify(execFile)(python, ['-c', check])).stdout, 'True infinstor_jupyter\n')
  t.ok(await exists(join(venv, 'share', 'jupyter', 'labextensions', ...NAME, 'package.json')))
  const u = await run(['uninstall', '--python', python])
  t.equal(u.code, 0, u.stderr)
  t.notOk(await exists(join(venv, 'share', 'jupyter', 'labextensions', ...NAME, 'package.json')), 'the labextension is gone')
  t.notOk(await exists(join(venv, 'etc', 'jupyter', 'jupyter_server_config.d', 'infinstor_jupyter.json')), 'and the server extension\'s config')
})

t.test('the Python behind a jupyter script', async t => {
  const tmp = await mkdtemp(join(tmpdir(), 'infinstor-jupyter-'))
  t.teardown(async () => await rm(tmp, { recursive: true, force: true }))
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

t.test('bad usage is refused with exit code 2; without any jupyter, the pip command to run', async t => {
  t.equal((await run(['install', '--user', '--prefix', '/tmp/x'])).code, 2)
  t.equal((await run(['install', '--python', 'a', '--jupyter', 'b'])).code, 2)
  t.equal((await run(['frobnicate'])).code, 2)
  const none = await run(['install'], { PATH: '/nonexistent' })
  t.equal(none.code, 2)
  t.match(none.stderr, /no jupyter command on PATH/)
  t.match(none.stderr, `python3 -m pip install --quiet${offline} ${PACKAGE_DIR}`)
})
