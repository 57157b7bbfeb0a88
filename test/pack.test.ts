// `npm pack` on a fresh clone gives a complete package (prepack builds
// dist/, the dashboard and the JupyterLab extension), and the package,
// installed into a prefix of its own, runs: --help, ls against S3, the
// dashboard, and `jupyter install`. Slow (builds everything once), so the
// clone reuses this checkout's npm packages (hard links); everything the
// package holds is built from scratch.
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { execFile, spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { s3env } from './helpers/s3env.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

interface Ran { code: number | null, stdout: string, stderr: string }

async function sh (file: string, args: string[], opts: { cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number } = {}): Promise<Ran> {
  return await new Promise(resolve => {
    execFile(file, args, { cwd: opts.cwd, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 240_000, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string }) | null
      resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : -1, stdout, stderr })
    })
  })
}

t.test('npm pack on a fresh clone: a complete package that installs and runs', { timeout: 600_000 }, async t => {
  const tmp = mkdtempSync(join(tmpdir(), 'infinstor-pack-'))
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }))
  const clone = join(tmp, 'clone')
  const cloned = await sh('git', ['clone', '--quiet', ROOT, clone])
  t.equal(cloned.code, 0, `git clone (${cloned.stderr})`)
  t.notOk(existsSync(join(clone, 'dist')), 'the clone has no build')
  for (const dir of ['', 'src/ui', 'src/labext']) {
    if (existsSync(join(ROOT, dir, 'node_modules'))) {
      t.equal((await sh('cp', ['-al', join(ROOT, dir, 'node_modules'), join(clone, dir, 'node_modules')])).code, 0)
    }
  }
  // npm's own environment from `npm test` (npm_config_*, npm_lifecycle_*) must not leak into this npm.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')))
  const packed = await sh('npm', ['pack', '--pack-destination', tmp, '--loglevel=error'], { cwd: clone, env, timeoutMs: 420_000 })
  t.equal(packed.code, 0, `npm pack (its prepack builds) ${packed.stderr}`)
  const tarball = readdirSync(tmp).find(n => n.endsWith('.tgz'))
  if (tarball === undefined) return t.fail('no tarball')
  const files = (await sh('tar', ['tzf', join(tmp, tarball)])).stdout.split('\n')
  for (const f of ['package/bin/infinstor', 'package/dist/cli/main.js', 'package/dist/ui/index.html', 'package/dist/labextension/package.json']) {
    t.ok(files.includes(f), `the package holds ${f}`)
  }
  t.ok(files.some(f => f.startsWith('package/dist/labextension/static/')), 'and the extension\'s bundle')

  const prefix = join(tmp, 'prefix')
  // Without install scripts: the only one that builds is better-sqlite3's,
  // which finds no prebuilt binary offline and compiles (3 minutes of both
  // cores here, over 5 under load). Its binding is the one this checkout
  // built, placed as scripts/setup.sh places it; everything else is the package's.
  const installed = await sh('npm', ['install', '-g', '--prefix', prefix, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(tmp, tarball)],
    { env, timeoutMs: 300_000 })
  t.equal(installed.code, 0, `npm install -g --prefix (${installed.stderr})`)
  const binding = join('node_modules', 'better-sqlite3', 'build', 'Release')
  const into = join(prefix, 'lib', 'node_modules', 'infinstor', binding)
  mkdirSync(into, { recursive: true })
  copyFileSync(join(ROOT, binding, 'better_sqlite3.node'), join(into, 'better_sqlite3.node'))
  const bin = join(prefix, 'bin', 'infinstor')
  t.ok(statSync(bin).isFile(), 'infinstor is on the prefix\'s PATH')

  const s3 = await s3env(t)
  await s3.raw.send(new CreateBucketCommand({ Bucket: 'packed' }))
  await s3.raw.send(new PutObjectCommand({ Bucket: 'packed', Key: 'hello.txt', Body: 'hello' }))
  const home = join(tmp, 'home')
  const runEnv = { ...s3.env, XDG_CONFIG_HOME: home, XDG_STATE_HOME: home }
  const help = await sh(bin, ['--help'], { env: runEnv })
  t.equal(help.code, 0)
  t.match(help.stdout, /Usage: infinstor <command>/)
  const ls = await sh(bin, ['ls', 's3://packed'], { env: runEnv })
  t.equal(ls.code, 0, ls.stderr)
  t.equal(ls.stdout, 'hello.txt\n', 'ls against S3')
  const ix = await sh(bin, ['index', 'packed', '--index', join(tmp, 'ix.sqlite')], { env: runEnv })
  t.equal(ix.code, 0, `the SQLite history index works from the package (${ix.stderr})`)

  const ui = spawn(bin, ['ui', '--no-open', '--port', '0'], { env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { ui.kill('SIGTERM') })
  let out = ''
  ui.stdout.setEncoding('utf8').on('data', (s: string) => { out += s })
  let url: string | undefined
  for (const deadline = Date.now() + 60_000; url === undefined && Date.now() < deadline && ui.exitCode === null; await new Promise(resolve => setTimeout(resolve, 100))) {
    url = /dashboard: (\S+)/.exec(out)?.[1]
  }
  if (url === undefined) return t.fail(`ui printed no URL: ${out}`)
  const page = await fetch(url)
  t.equal(page.status, 200, 'the dashboard page is served from the package')
  t.match(await page.text(), /<script[^>]+src="[^"]*assets\//, 'with its built scripts')

  const data = join(tmp, 'jupyter-prefix')
  // No JupyterLab on this PATH: the Python that runs pip is named, as a user without one would.
  const jupyter = await sh(bin, ['jupyter', 'install', '--prefix', data, '--python', 'python3'], { env: runEnv })
  t.equal(jupyter.code, 0, jupyter.stderr)
  t.ok(existsSync(join(data, 'share', 'jupyter', 'labextensions', '@infinstor', 'jupyterlab', 'package.json')), 'the JupyterLab extension installs from the package')
})
