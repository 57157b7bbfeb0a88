import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { InfinError } from '../core/errors.js'
import { describeValues, parseValue, type ValueRule } from './values.js'

/**
 * Every setting, declared once. Each can be given as a command-line flag
 * (`--name`), an environment variable, or a key in the config file, in that
 * order of precedence. Reads are typed by name (`settings.get('port')` is a
 * number; a misspelt name does not compile), and a default lives only here.
 * The README's settings table and `--help` are made from this list.
 */
export interface SettingDef extends ValueRule {
  name: string
  env: string
  default?: string | number | boolean
  /** Never shown back, not even in an error about its value. */
  secret?: boolean
  help: string
}

export const SETTINGS = [
  { name: 'endpoint', env: 'AWS_ENDPOINT_URL', type: 'string', format: 'url', help: 'S3 endpoint URL, for S3-compatible servers (default: AWS)' },
  { name: 'region', env: 'AWS_REGION', type: 'string', format: 'word', default: 'us-east-1', help: 'S3 region' },
  { name: 'path-style', env: 'INFINSTOR_PATH_STYLE', type: 'boolean', help: 'path-style bucket addressing (default: on when an endpoint is set)' },
  { name: 's3-attempts', env: 'INFINSTOR_S3_ATTEMPTS', type: 'number', integer: true, min: 1, max: 100, default: 3, help: 'attempts per S3 request, with the SDK\'s backoff between them' },
  { name: 's3-timeout-ms', env: 'INFINSTOR_S3_TIMEOUT_MS', type: 'number', integer: true, min: 1, default: 15000, help: 'connect and idle timeout of one S3 request; listings and other metadata reads wait while the server answers anything, this long per such request in flight (a busy server is slow, not gone)' },
  { name: 's3-concurrency', env: 'INFINSTOR_S3_CONCURRENCY', type: 'number', integer: true, min: 1, max: 1024, default: 16, help: 'S3 requests in flight at once' },
  { name: 'settle-margin-ms', env: 'INFINSTOR_SETTLE_MARGIN_MS', type: 'number', integer: true, min: 0, default: 5000, help: 'history older than the server time minus this is treated as final' },
  { name: 'live-ttl-ms', env: 'INFINSTOR_LIVE_TTL_MS', type: 'number', integer: true, min: 0, default: 2000, help: 'how long a listing may serve "latest" and other unsettled times' },
  { name: 'index', env: 'INFINSTOR_INDEX', type: 'string', format: 'index', help: 'history index: unset = SQLite at $XDG_STATE_HOME/infinstor/index.sqlite (default ~/.local/state), a file path = that SQLite file, postgres://… = PostgreSQL shared by a team' },
  { name: 'index-sweep-interval', env: 'INFINSTOR_INDEX_SWEEP_INTERVAL', type: 'number', integer: true, min: 1, default: 3600, help: 'index --watch: seconds between reconciliation sweeps, which catch what events missed (deletes among them) and move the watermark forward' },
  { name: 'index-queue', env: 'INFINSTOR_INDEX_QUEUE', type: 'string', format: 'url', help: 'index --watch: URL of the SQS queue that receives the bucket\'s S3 event notifications (see enable --events)' },
  { name: 'index-keep', env: 'INFINSTOR_INDEX_KEEP', type: 'string', format: 'buckets', help: 'mount, serve: comma-separated buckets whose history index the daemon keeps current (sweeps every index-sweep-interval; events from index-queue when set)' },
  { name: 'index-page-size', env: 'INFINSTOR_INDEX_PAGE_SIZE', type: 'number', integer: true, min: 1, max: 1000, default: 1000, help: 'index: versions per ListObjectVersions page in a sweep, each page one transaction (S3 allows at most 1000)' },
  { name: 'label-store', env: 'INFINSTOR_LABEL_STORE', type: 'string', format: 'label-store', default: 'local', help: "where labels live: 'local' (labels.json in the config dir), a file path, or s3://bucket/prefix/ shared by a team" },
  { name: 'host', env: 'INFINSTOR_HOST', type: 'string', format: 'host', default: '127.0.0.1', help: 'address the HTTP server binds (keep loopback unless behind a proxy)' },
  { name: 'port', env: 'INFINSTOR_PORT', type: 'number', integer: true, min: 0, max: 65535, default: 8941, help: 'port of the HTTP server (0 picks a free one)' },
  { name: 's3-port', env: 'INFINSTOR_S3_PORT', type: 'number', integer: true, min: 0, max: 65535, default: 8942, help: 'port of the S3 gateway, on the same host (0 picks a free one)' },
  { name: 'token', env: 'INFINSTOR_TOKEN', type: 'string', format: 'token', secret: true, help: 'HTTP token (default: read or created in the 0600 token file)' },
  { name: 'token-file', env: 'INFINSTOR_TOKEN_FILE', type: 'string', format: 'path', help: 'where the HTTP token is kept (default: ~/.config/infinstor/token)' },
  { name: 'allow-origin', env: 'INFINSTOR_ALLOW_ORIGIN', type: 'string', format: 'origins', help: 'comma-separated origins allowed to call the HTTP server (e.g. a JupyterLab URL)' },
  { name: 'mount-point', env: 'INFINSTOR_MOUNT_POINT', type: 'string', format: 'absolute-path', default: '/infinstor', help: 'where the tree is mounted; plain paths shown to users start here' },
  { name: 'contents-max-bytes', env: 'INFINSTOR_CONTENTS_MAX_BYTES', type: 'number', integer: true, min: 0, default: 52428800, help: 'largest file the Jupyter contents API returns inline (bigger ones: read the plain mount path)' },
  { name: 'cache-size', env: 'INFINSTOR_CACHE_SIZE', type: 'number', min: 0, default: 512, help: 'mount: memory for cached blocks, in MiB, counting dropped blocks not yet freed by the garbage collector (0: read straight from S3)' },
  { name: 'whole-file-size', env: 'INFINSTOR_WHOLE_FILE_SIZE', type: 'number', integer: true, min: 0, default: 256, help: 'mount: a file read at random is fetched whole, in parallel parts, if it is at most this many MiB and three quarters of the cache\'s share per open file (0: never)' },
  { name: 'cache-dir', env: 'INFINSTOR_CACHE_DIR', type: 'string', format: 'path', help: 'mount: directory for an on-disk block cache (default: none)' },
  { name: 'cache-dir-size', env: 'INFINSTOR_CACHE_DIR_SIZE', type: 'number', min: 1, default: 10240, help: 'mount: bound of the on-disk block cache, in MiB (least recently used blocks go first)' },
  { name: 'attr-timeout', env: 'INFINSTOR_ATTR_TIMEOUT', type: 'number', min: 0, default: 1, help: 'mount: seconds the kernel trusts sizes and times (bounds how stale @latest can look)' },
  { name: 'op-timeout', env: 'INFINSTOR_OP_TIMEOUT', type: 'number', min: 1, default: 300, help: 'mount: seconds a listing or lookup may take before it fails with EIO (an unreachable S3 fails sooner, after the request retries)' },
  { name: 'entry-timeout', env: 'INFINSTOR_ENTRY_TIMEOUT', type: 'number', min: 0, default: 86400, help: 'mount: seconds the kernel keeps a name, and with it the file\'s cached pages' },
  { name: 'huge-pages', env: 'INFINSTOR_HUGE_PAGES', type: 'boolean', default: true, help: 'mount: a background mount\'s daemon keeps block memory in transparent huge pages (glibc.malloc.hugetlb=1): a page fault per 2 MiB, not per 4 KiB; a foreground mount only if its GLIBC_TUNABLES says so, and a GLIBC_TUNABLES of yours that names hugetlb wins' },
  { name: 'kernel-readahead', env: 'INFINSTOR_KERNEL_READAHEAD', type: 'number', integer: true, min: 0, max: 65536, default: 1024, help: 'mount: KiB the kernel reads ahead of a sequential reader, which keeps several FUSE reads in flight (0: the kernel\'s 128 KiB); only root may raise it, others keep 128' }
] as const satisfies readonly SettingDef[]

/** The declarations seen one by one (for --help, the README table, and reading values). */
export const SETTING_DEFS: readonly SettingDef[] = SETTINGS

type Declared = typeof SETTINGS[number]
export type SettingName = Declared['name']
type DefOf<N extends SettingName> = Extract<Declared, { name: N }>
type TypeOf<T> = T extends 'number' ? number : T extends 'boolean' ? boolean : string
/** A setting's value: its declared type, or also undefined when it has no default. */
export type SettingType<N extends SettingName> = DefOf<N> extends { default: unknown }
  ? TypeOf<DefOf<N>['type']>
  : TypeOf<DefOf<N>['type']> | undefined

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

/** A setting's value from one source, or undefined when that source does not give it. */
function convert (def: SettingDef, raw: unknown, source: string): SettingValue {
  if (raw === undefined || raw === '') return undefined
  const value = parseValue(def, raw)
  if (value !== undefined) return value
  const shown = def.secret === true ? '' : `, not '${String(raw)}'`
  throw new InfinError('Usage', `setting ${def.name} (from ${source}) must be ${describeValues(def)}${shown}`)
}

export class Settings {
  private readonly values = new Map<string, SettingValue>()

  constructor (flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env) {
    const file = readConfig(configFile(env))
    for (const def of SETTING_DEFS) {
      const value = convert(def, flags[def.name], `--${def.name}`) ??
        convert(def, env[def.env], `$${def.env}`) ??
        convert(def, file[def.name], configFile(env)) ??
        def.default
      this.values.set(def.name, value)
    }
  }

  get<N extends SettingName> (name: N): SettingType<N> {
    return this.values.get(name) as SettingType<N>
  }
}
