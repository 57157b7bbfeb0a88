import { VERSION } from '../../config/version.js'
import type { InfoReply } from '../../core/api-types.js'
import type { Router } from '../../server/http.js'
import type { DashboardDeps } from './deps.js'

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

export function infoRoutes (router: Router, { engine, labels, mountPoint, region, s3Gateway }: DashboardDeps): void {
  router.get(/^\/api\/infinstor\/info$/, async () => {
    const json: InfoReply = {
      name: 'infinstor',
      version: VERSION,
      endpoint: engine.endpoint ?? 'AWS',
      region,
      credentialSource: credentialSource(),
      labelStore: labels.store.where,
      mountPoint,
      s3Gateway,
      // Diagnostics: how much S3 work this server has done (the caches keep it low).
      s3Requests: Object.fromEntries(engine.requests)
    }
    return { json }
  })
}
