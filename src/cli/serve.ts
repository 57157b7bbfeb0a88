import { streamLog } from '../config/log.js'
import { startHttpAlone, tokenSource } from '../daemon/http-app.js'
import { stopRequested, stoppedBy } from '../daemon/signals.js'
import type { Command } from './commands.js'

export const serve: Command = {
  summary: 'serve the Jupyter contents API and the InfinStor API over HTTP (token required), and the S3 gateway (SigV4)',
  usage: '[--host H] [--port P] [--s3-port P] [--token T] [--allow-origin URL]',
  settings: ['host', 'port', 's3-port', 'token', 'token-file', 'allow-origin'],
  options: {},
  async run (ctx) {
    const served = await startHttpAlone(ctx.settings, streamLog(line => process.stderr.write(line)), { gateway: true })
    const { gateway } = served
    process.stdout.write(`infinstor serving on ${served.url}\n` +
      `${tokenSource(served)} (send "Authorization: token <token>")\n` +
      (gateway === undefined ? '' : `S3 gateway on ${gateway.url} (SigV4; keys from 'infinstor keys create')\n`))
    const signal = await stopRequested()
    await served.close()
    return await stoppedBy(signal)
  }
}
