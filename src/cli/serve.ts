import { once } from 'node:events'
import { streamLog } from '../config/log.js'
import { startHttpAlone, tokenSource } from '../daemon/http-app.js'
import type { Command } from './commands.js'

export const serve: Command = {
  summary: 'serve the Jupyter contents API and the InfinStor API over HTTP (token required)',
  usage: '[--host H] [--port P] [--token T] [--allow-origin URL]',
  settings: ['host', 'port', 'token', 'token-file', 'allow-origin'],
  options: {},
  async run (ctx) {
    const served = await startHttpAlone(ctx.settings, streamLog(line => process.stderr.write(line)))
    process.stdout.write(`infinstor serving on ${served.url}\n` +
      `${tokenSource(served)} (send "Authorization: token <token>")\n`)
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')])
    await served.close()
    return 0
  }
}
