import { Labels } from '../../labels/service.js'
import type { AppDeps } from '../../daemon/http-app.js'
import { VERSION } from '../../daemon/http-app.js'
import type { Router } from '../../server/http.js'

/**
 * Where the S3 credentials come from, named but never shown: the SDK's
 * own order is environment, then a named or default profile, then the
 * rest of its chain (SSO, web identity, container and instance roles).
 */
export function credentialSource (env: NodeJS.ProcessEnv = process.env): string {
  if ((env.AWS_ACCESS_KEY_ID ?? '') !== '' && (env.AWS_SECRET_ACCESS_KEY ?? '') !== '') return 'env'
  if ((env.AWS_PROFILE ?? '') !== '') return `profile:${env.AWS_PROFILE as string}`
  return 'default chain'
}

/** The S3 gateway's address as the settings give it (a port of 0 is chosen at start: see the log). */
function gatewayUrl (deps: AppDeps): string | null {
  const host = deps.settings.str('host') ?? '127.0.0.1'
  const port = deps.settings.num('s3-port')
  return port === 0 ? null : `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

export function infoRoutes (router: Router, deps: AppDeps): void {
  router.get(/^\/api\/infinstor\/info$/, async () => ({
    json: {
      name: 'infinstor',
      version: VERSION,
      endpoint: deps.engine.s3.endpoint ?? 'AWS',
      region: deps.settings.str('region'),
      credentialSource: credentialSource(),
      labelStore: deps.engine.labels instanceof Labels ? deps.engine.labels.store.where : null,
      mountPoint: deps.settings.str('mount-point'),
      s3Gateway: gatewayUrl(deps),
      // Diagnostics: how much S3 work this server has done (the caches keep it low).
      s3Requests: Object.fromEntries(deps.engine.s3.requests)
    }
  }))
}
