import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from '../../../src/demo/moto.js'
import { KeyStore } from '../../../src/gateway/keys.js'
import { BIN } from '../paths.js'
import { Daemon, lastLine } from '../proc.js'
import { CREDENTIALS, type SystemContext } from './types.js'

export interface GatewayDaemon {
  url: string
  /** A key of the gateway's own (not the S3 credentials). */
  creds: { accessKeyId: string, secretAccessKey: string }
  pid: number
  stop: () => Promise<void>
}

/**
 * `infinstor serve` on the bench's moto with a fresh cache and a key of its
 * own: the S3 gateway under test. Each start is cold (nothing cached).
 */
export async function startGatewayDaemon (ctx: SystemContext): Promise<GatewayDaemon> {
  const home = mkdtempSync(join(ctx.workDir, 'gateway-config-'))
  const key = await new KeyStore(join(home, 'infinstor', 's3-keys.json')).create('bench')
  const port = await freePort()
  const daemon = new Daemon(ctx.cleanup, process.execPath,
    [BIN, 'serve', '--endpoint', ctx.endpoint, '--port', '0', '--s3-port', String(port), '--cache-size', String(ctx.cacheBytes / (1 << 20))],
    { ...process.env, ...CREDENTIALS, XDG_CONFIG_HOME: home }, join(ctx.workDir, 'gateway.log'), `--s3-port ${port}`)
  for (const deadline = Date.now() + 30_000; !daemon.log().includes(`S3 gateway on http://127.0.0.1:${port}`); await sleep(50)) {
    if (daemon.exited || Date.now() > deadline) {
      await daemon.stop()
      throw new Error(`the gateway did not start: ${lastLine(daemon.log())}`)
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    creds: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    pid: daemon.pid,
    stop: async () => { await daemon.stop() }
  }
}
