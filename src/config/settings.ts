import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { InfinError } from '../core/errors.js'

/**
 * Every setting, declared once. Each can be given as a command-line flag
 * (`--name`), an environment variable, or a key in the config file, in that
 * order of precedence. The README's settings table is checked against this
 * list by a test.
 */
export interface SettingDef {
  name: string
  env: string
  type: 'string' | 'number' | 'boolean'
  default?: string | number | boolean
  help: string
}

export const SETTINGS: readonly SettingDef[] = [
  { name: 'endpoint', env: 'AWS_ENDPOINT_URL', type: 'string', help: 'S3 endpoint URL, for S3-compatible servers (default: AWS)' },
  { name: 'region', env: 'AWS_REGION', type: 'string', default: 'us-east-1', help: 'S3 region' },
  { name: 'path-style', env: 'INFINSTOR_PATH_STYLE', type: 'boolean', help: 'path-style bucket addressing (default: on when an endpoint is set)' },
  { name: 's3-attempts', env: 'INFINSTOR_S3_ATTEMPTS', type: 'number', default: 3, help: 'attempts per S3 request, with the SDK\'s backoff between them' },
  { name: 's3-timeout-ms', env: 'INFINSTOR_S3_TIMEOUT_MS', type: 'number', default: 15000, help: 'connect and idle timeout of one S3 request (a busy server may take seconds to start a big listing)' },
  { name: 's3-concurrency', env: 'INFINSTOR_S3_CONCURRENCY', type: 'number', default: 16, help: 'S3 requests in flight at once' },
  { name: 'settle-margin-ms', env: 'INFINSTOR_SETTLE_MARGIN_MS', type: 'number', default: 5000, help: 'history older than the server time minus this is treated as final' },
  { name: 'live-ttl-ms', env: 'INFINSTOR_LIVE_TTL_MS', type: 'number', default: 2000, help: 'how long a listing may serve "latest" and other unsettled times' },
  { name: 'label-store', env: 'INFINSTOR_LABEL_STORE', type: 'string', default: 'local', help: "where labels live: 'local' (labels.json in the config dir), a file path, or s3://bucket/prefix/ shared by a team" },
  { name: 'host', env: 'INFINSTOR_HOST', type: 'string', default: '127.0.0.1', help: 'address the HTTP server binds (keep loopback unless behind a proxy)' },
  { name: 'port', env: 'INFINSTOR_PORT', type: 'number', default: 8941, help: 'port of the HTTP server (0 picks a free one)' },
  { name: 's3-port', env: 'INFINSTOR_S3_PORT', type: 'number', default: 8942, help: 'port of the S3 gateway, on the same host (0 picks a free one)' },
  { name: 'token', env: 'INFINSTOR_TOKEN', type: 'string', help: 'HTTP token (default: read or created in the 0600 token file)' },
  { name: 'token-file', env: 'INFINSTOR_TOKEN_FILE', type: 'string', help: 'where the HTTP token is kept (default: ~/.config/infinstor/token)' },
  { name: 'allow-origin', env: 'INFINSTOR_ALLOW_ORIGIN', type: 'string', help: 'comma-separated origins allowed to call the HTTP server (e.g. a JupyterLab URL)' },
  { name: 'mount-point', env: 'INFINSTOR_MOUNT_POINT', type: 'string', default: '/infinstor', help: 'where the tree is mounted; plain paths shown to users start here' },
  { name: 'contents-max-bytes', env: 'INFINSTOR_CONTENTS_MAX_BYTES', type: 'number', default: 52428800, help: 'largest file the Jupyter contents API returns inline (bigger ones: read the plain mount path)' },
  { name: 'cache-size', env: 'INFINSTOR_CACHE_SIZE', type: 'number', default: 512, help: 'mount: memory for cached blocks, in MiB, counting dropped blocks not yet freed by the garbage collector (0: read straight from S3)' },
  { name: 'cache-dir', env: 'INFINSTOR_CACHE_DIR', type: 'string', help: 'mount: directory for an on-disk block cache (default: none)' },
  { name: 'cache-dir-size', env: 'INFINSTOR_CACHE_DIR_SIZE', type: 'number', default: 10240, help: 'mount: bound of the on-disk block cache, in MiB (least recently used blocks go first)' },
  { name: 'attr-timeout', env: 'INFINSTOR_ATTR_TIMEOUT', type: 'number', default: 1, help: 'mount: seconds the kernel trusts sizes and times (bounds how stale @latest can look)' },
  { name: 'op-timeout', env: 'INFINSTOR_OP_TIMEOUT', type: 'number', default: 300, help: 'mount: seconds a listing or lookup may take before it fails with EIO (an unreachable S3 fails sooner, after the request retries)' },
  { name: 'entry-timeout', env: 'INFINSTOR_ENTRY_TIMEOUT', type: 'number', default: 86400, help: 'mount: seconds the kernel keeps a name, and with it the file\'s cached pages' }
]

export type SettingValue = string | number | boolean | undefined

export function configDir (env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== ''
    ? env.XDG_CONFIG_HOME
    : join(homedir(), '.config')
  return join(base, 'infinstor')
}

export function configFile (env: NodeJS.ProcessEnv = process.env): string {
  return env.INFINSTOR_CONFIG ?? join(configDir(env), 'config.json')
}

function readConfig (path: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new InfinError('Corrupt', `cannot read config file ${path}: ${(e as Error).message}`)
  }
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object')
    return value as Record<string, unknown>
  } catch (e) {
    throw new InfinError('Corrupt', `config file ${path} is not valid: ${(e as Error).message}`)
  }
}

function convert (def: SettingDef, raw: unknown, source: string): SettingValue {
  if (raw === undefined || raw === '') return undefined
  if (def.type === 'string') return String(raw)
  if (def.type === 'boolean') {
    if (typeof raw === 'boolean') return raw
    if (/^(1|true|yes|on)$/i.test(String(raw))) return true
    if (/^(0|false|no|off)$/i.test(String(raw))) return false
  } else {
    const n = Number(raw)
    if (Number.isFinite(n) && n >= 0) return n
  }
  throw new InfinError('Usage', `${def.name} from ${source} must be a ${def.type}, not '${String(raw)}'`)
}

export class Settings {
  private readonly values = new Map<string, SettingValue>()

  constructor (defs: readonly SettingDef[], flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env) {
    const file = readConfig(configFile(env))
    for (const def of defs) {
      const value = convert(def, flags[def.name], `--${def.name}`) ??
        convert(def, env[def.env], `$${def.env}`) ??
        convert(def, file[def.name], configFile(env)) ??
        def.default
      this.values.set(def.name, value)
    }
  }

  get (name: string): SettingValue {
    if (!this.values.has(name)) throw new Error(`unknown setting ${name}`)
    return this.values.get(name)
  }

  str (name: string): string | undefined {
    const v = this.get(name)
    return v === undefined ? undefined : String(v)
  }

  num (name: string): number { return Number(this.get(name)) }

  bool (name: string): boolean | undefined {
    const v = this.get(name)
    return v === undefined ? undefined : Boolean(v)
  }
}
