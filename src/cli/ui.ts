import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { streamLog } from '../config/log.js'
import { startHttpAlone, tokenSource } from '../daemon/http-app.js'
import { stopRequested, stoppedBy } from '../daemon/signals.js'
import type { Command } from './commands.js'

/** The platform's way to open a URL; $BROWSER (a command) wins, as with other tools. */
function opener (url: string): [string, string[]] {
  const browser = process.env.BROWSER
  if (browser !== undefined && browser !== '') return [browser, [url]]
  if (process.platform === 'darwin') return ['open', [url]]
  if (process.platform === 'win32') return ['cmd', ['/c', 'start', '""', url]]
  return ['xdg-open', [url]]
}

async function openBrowser (url: string): Promise<boolean> {
  const [cmd, args] = opener(url)
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true })
    const [code] = await Promise.race([once(child, 'exit'), once(child, 'error').then(() => [-1])]) as [number | null]
    return code === 0
  } catch {
    return false
  }
}

export const ui: Command = {
  summary: 'serve the web dashboard (buckets, browse at any time, timeline, slices, diffs, labels) and open it',
  usage: '[--no-open] [--port P] [--token T] [--host H]',
  settings: ['host', 'port', 'token', 'token-file'],
  options: { 'no-open': { type: 'boolean' } },
  async run (ctx) {
    const served = await startHttpAlone(ctx.settings, streamLog(line => process.stderr.write(line)))
    const url = `${served.url}/ui/?token=${encodeURIComponent(served.token)}`
    process.stdout.write(`infinstor dashboard: ${url}\n` +
      `${tokenSource(served)} (the URL logs the browser in; keep it private)\n`)
    if (ctx.flags['no-open'] !== true && !await openBrowser(url)) {
      process.stdout.write('could not open a browser here: open the URL above yourself\n')
    }
    const signal = await stopRequested()
    await served.close()
    return await stoppedBy(signal)
  }
}
