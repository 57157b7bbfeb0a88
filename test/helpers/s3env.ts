import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { S3Client } from '@aws-sdk/client-s3'
import { Settings } from '../../src/config/settings.js'
import { openServices, type Services } from '../../src/daemon/services.js'
import { startMoto, type Moto } from '../../src/demo/moto.js'
import type { Engine } from '../../src/engine/engine.js'

export const BIN = fileURLToPath(new URL('../../bin/infinstor', import.meta.url))

export interface CliResult { code: number, stdout: string, stderr: string }

export interface S3Env {
  moto: Moto
  endpoint: string
  /** A plain SDK client, for building histories independently of our code. */
  raw: S3Client
  /** Environment for child processes (the CLI, mounts) pointing at moto. */
  env: NodeJS.ProcessEnv
  /**
   * S3, labels (a fresh local store unless `label-store` says otherwise) and
   * the engine, assembled as every InfinStor process assembles them, from
   * settings given as flags; the user's config file is never read.
   */
  services: (flags?: Record<string, unknown>) => Services
  /** The engine of `services()`, with the common options by name. */
  engine: (opts?: Partial<EngineOptions>) => Engine
  cli: (args: string[], extraEnv?: NodeJS.ProcessEnv) => Promise<CliResult>
}

export interface EngineOptions { settleMarginMs: number, liveTtlMs: number, attempts: number, timeoutMs: number }

const CREDS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' }

interface Teardown { teardown: (fn: () => unknown) => void }

/** Starts moto on a free port for one test file; stops it at teardown. */
export async function s3env (t: Teardown): Promise<S3Env> {
  Object.assign(process.env, CREDS, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' })
  const moto = await startMoto()
  const raw = new S3Client({ endpoint: moto.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
  const opened: Services[] = []
  const homes: string[] = []
  t.teardown(async () => {
    raw.destroy()
    for (const s of opened) await s.close()
    // Only once closed: an index or label store may still be writing there.
    for (const home of homes) rmSync(home, { recursive: true, force: true })
    await moto.stop()
  })
  const env = { ...process.env, ...CREDS, AWS_ENDPOINT_URL: moto.endpoint }
  const services = (flags: Record<string, unknown> = {}): Services => {
    const home = mkdtempSync(join(tmpdir(), 'infinstor-services-'))
    homes.push(home)
    const settings = new Settings({
      endpoint: moto.endpoint,
      's3-attempts': 3,
      's3-timeout-ms': 5000,
      's3-concurrency': 8,
      'settle-margin-ms': 2000,
      'live-ttl-ms': 1000,
      'label-store': join(home, 'labels.json'),
      // No index unless a test builds one: never the user's own.
      index: join(home, 'index.sqlite'),
      ...flags
    }, { ...env, INFINSTOR_CONFIG: join(home, 'none.json') })
    const s = openServices(settings)
    opened.push(s)
    return s
  }
  return {
    moto,
    endpoint: moto.endpoint,
    raw,
    env,
    services,
    engine: (o = {}) => services({
      ...(o.settleMarginMs === undefined ? {} : { 'settle-margin-ms': o.settleMarginMs }),
      ...(o.liveTtlMs === undefined ? {} : { 'live-ttl-ms': o.liveTtlMs }),
      ...(o.attempts === undefined ? {} : { 's3-attempts': o.attempts }),
      ...(o.timeoutMs === undefined ? {} : { 's3-timeout-ms': o.timeoutMs })
    }).engine,
    cli: async (args, extraEnv = {}) => await new Promise(resolve => {
      execFile(process.execPath, [BIN, ...args], { env: { ...env, ...extraEnv }, maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
        resolve({ code, stdout, stderr })
      })
    })
  }
}
