// `infinstor ui`: serves the dashboard with a token and opens the browser at the URL that carries it.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { chmod, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { BIN } from '../helpers/s3env.js'
import { tempDir } from '../helpers/temp.js'

interface Running { url: string, stdout: string, stop: () => Promise<number | null> }

async function startUi (t: { teardown: (fn: () => unknown) => void }, args: string[], env: NodeJS.ProcessEnv): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'ui', '--port', '0', ...args], {
    env: { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
    return child.exitCode
  }
  t.teardown(stop)
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      const m = /dashboard: (\S+)/.exec(stdout)
      if (m !== null) resolve(m[1])
    })
    child.once('exit', code => reject(new Error(`infinstor ui exited ${String(code)}: ${stderr}`)))
  })
  return { url, get stdout () { return stdout }, stop }
}

t.test('--no-open: prints the URL with the token; the URL logs the browser in', async t => {
  const dir = tempDir(t, 'ui-cli')
  const ui = await startUi(t, ['--no-open', '--token-file', join(dir, 'token')], { INFINSTOR_TOKEN: 'from-env-token' })
  t.match(ui.url, /^http:\/\/127\.0\.0\.1:\d+\/ui\/\?token=from-env-token$/, 'loopback, and INFINSTOR_TOKEN is the token')
  const page = await fetch(ui.url)
  t.equal(page.status, 200)
  t.match(await page.text(), /<div id="app">/, 'the built dashboard is served')
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]
  const info = await fetch(new URL('/api/infinstor/info', ui.url), { headers: { Cookie: cookie } })
  t.match(await info.json(), { endpoint: 'http://127.0.0.1:9', credentialSource: 'env' })
  t.equal((await fetch(new URL('/api/infinstor/info', ui.url))).status, 401, 'nothing without the token')
  t.equal(await ui.stop(), 0, 'exits cleanly on SIGTERM')
})

t.test('opens $BROWSER at the URL; the token file is created 0600', async t => {
  const dir = tempDir(t, 'ui-cli')
  const opened = join(dir, 'opened')
  const browser = join(dir, 'browser.sh')
  await writeFile(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`)
  await chmod(browser, 0o755)
  const tokenPath = join(dir, 'token')
  const ui = await startUi(t, ['--token-file', tokenPath], { BROWSER: browser, INFINSTOR_TOKEN: '' })
  for (let i = 0; i < 100 && await stat(opened).catch(() => undefined) === undefined; i++) await new Promise(resolve => setTimeout(resolve, 50))
  t.equal(await readFile(opened, 'utf8'), ui.url, 'the browser got the URL with the token')
  const token = (await readFile(tokenPath, 'utf8')).trim()
  t.equal(ui.url.split('token=')[1], token, 'the token is the one kept in the token file')
  t.equal((await stat(tokenPath)).mode & 0o777, 0o600)
  t.notMatch(ui.stdout, /could not open/)
})

t.test('no browser to open: says so and keeps serving', async t => {
  const dir = tempDir(t, 'ui-cli')
  const ui = await startUi(t, ['--token', 'tk', '--token-file', join(dir, 'token')], { BROWSER: join(dir, 'no-such-browser') })
  for (let i = 0; i < 100 && !ui.stdout.includes('could not open'); i++) await new Promise(resolve => setTimeout(resolve, 50))
  t.match(ui.stdout, /could not open a browser here: open the URL above yourself/)
  t.equal((await fetch(ui.url)).status, 200)
})
