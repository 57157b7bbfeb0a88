import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { S3Client } from '@aws-sdk/client-s3'
import { startMoto, type Moto } from '../../src/demo/moto.js'
import { Engine } from '../../src/engine/engine.js'
import { S3Access } from '../../src/s3/access.js'

export const BIN = fileURLToPath(new URL('../../bin/infinstor', import.meta.url))

export interface CliResult { code: number, stdout: string, stderr: string }

export interface S3Env {
  moto: Moto
  endpoint: string
  /** A plain SDK client, for building histories independently of our code. */
  raw: S3Client
  /** Environment for child processes (the CLI, mounts) pointing at moto. */
  env: NodeJS.ProcessEnv
  engine: (opts?: Partial<{ settleMarginMs: number, liveTtlMs: number, attempts: number, timeoutMs: number }>) => Engine
  cli: (args: string[], extraEnv?: NodeJS.ProcessEnv) => Promise<CliResult>
}

const CREDS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' }

interface Teardown { teardown: (fn: () => unknown) => void }

/** Starts moto on a free port for one test file; stops it at teardown. */
export async function s3env (t: Teardown): Promise<S3Env> {
  Object.assign(process.env, CREDS, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' })
  const moto = await startMoto()
  const raw = new S3Client({ endpoint: moto.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
  const engines: Engine[] = []
  t.teardown(async () => {
    raw.destroy()
    for (const e of engines) e.s3.destroy()
    await moto.stop()
  })
  const env = { ...process.env, ...CREDS, AWS_ENDPOINT_URL: moto.endpoint }
  return {
    moto,
    endpoint: moto.endpoint,
    raw,
    env,
    engine: (o = {}) => {
      const s3 = new S3Access({ endpoint: moto.endpoint, attempts: o.attempts ?? 3, timeoutMs: o.timeoutMs ?? 5000, concurrency: 8 })
      const e = new Engine(s3, { settleMarginMs: o.settleMarginMs ?? 2000, liveTtlMs: o.liveTtlMs ?? 1000 })
      engines.push(e)
      return e
    },
    cli: async (args, extraEnv = {}) => await new Promise(resolve => {
      execFile(process.execPath, [BIN, ...args], { env: { ...env, ...extraEnv }, maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
        resolve({ code, stdout, stderr })
      })
    })
  }
}
