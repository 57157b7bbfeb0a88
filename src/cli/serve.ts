import { once } from 'node:events'
import { serveApp } from '../daemon/http-app.js'
import type { Command } from './commands.js'
import { engineFor } from './context.js'

export const serve: Command = {
  summary: 'serve the Jupyter contents API and the InfinStor API over HTTP (token required)',
  usage: '[--host H] [--port P] [--token T] [--allow-origin URL]',
  options: {},
  async run (ctx) {
    const served = await serveApp({ engine: engineFor(ctx), settings: ctx.settings })
    process.stdout.write(`infinstor serving on ${served.url}\n` +
      `token file: ${served.tokenPath} (send "Authorization: token <token>")\n`)
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')])
    await served.close()
    return 0
  }
}
