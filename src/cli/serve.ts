import { once } from 'node:events'
import { streamLog } from '../config/log.js'
import { serveApp } from '../daemon/http-app.js'
import { buildTree } from '../daemon/open-tree.js'
import { startGatewayBeside } from '../gateway/index.js'
import type { Command } from './commands.js'
import { engineFor } from './context.js'

export const serve: Command = {
  summary: 'serve the Jupyter contents API and the InfinStor API over HTTP (token required), and the S3 gateway (SigV4)',
  usage: '[--host H] [--port P] [--s3-port P] [--token T] [--allow-origin URL]',
  options: {},
  async run (ctx) {
    const engine = engineFor(ctx)
    const log = streamLog(line => process.stderr.write(line))
    // One tree, so the contents API and the gateway share one block cache.
    const tree = buildTree(engine, ctx.settings, log)
    const served = await serveApp({ engine, settings: ctx.settings, tree })
    const gateway = await startGatewayBeside(engine, tree.reader, ctx.settings, log)
    process.stdout.write(`infinstor serving on ${served.url}\n` +
      `token file: ${served.tokenPath} (send "Authorization: token <token>")\n` +
      (gateway === undefined ? '' : `S3 gateway on ${gateway.url} (SigV4; keys from 'infinstor keys create')\n`))
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')])
    await gateway?.close()
    await served.close()
    return 0
  }
}
