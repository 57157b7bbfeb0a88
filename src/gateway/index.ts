import type { Log } from '../config/log.js'
import type { Settings } from '../config/settings.js'
import type { Engine } from '../engine/engine.js'
import type { Reader } from '../reader/types.js'
import { KeyStore } from './keys.js'
import { startGateway, type Gateway } from './server.js'

export { startGateway, type Gateway, type GatewayDeps } from './server.js'

/** The gateway's address as the settings give it; null when its port is chosen at start (0: see the log). */
export function gatewayUrl (settings: Settings): string | null {
  const host = settings.get('host')
  const port = settings.get('s3-port')
  return port === 0 ? null : `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

/**
 * The gateway as the settings describe it (`host`, `s3-port`, keys in the
 * config directory), over a reader the process already has. It runs beside
 * a mount or the HTTP server: if it cannot start (its port is taken), the
 * log says why and the rest goes on without it.
 */
export async function startGatewayBeside ({ engine, settings }: { engine: Engine, settings: Settings }, reader: Reader, log: Log): Promise<Gateway | undefined> {
  const keys = new KeyStore()
  try {
    const gateway = await startGateway({ engine, reader, keys, log, host: settings.get('host'), port: settings.get('s3-port') })
    log.info(`S3 gateway at ${gateway.url} (SigV4 with keys from 'infinstor keys create', kept in ${keys.path})`)
    return gateway
  } catch (e) {
    log.info(`S3 gateway not started: ${(e as Error).message}. Everything else works without it`)
    return undefined
  }
}
