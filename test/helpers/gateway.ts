import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, createHmac } from 'node:crypto'
import { once } from 'node:events'
import { request } from 'node:http'
import { join } from 'node:path'
import { SignatureV4 } from '@smithy/signature-v4'
import { KeyStore } from '../../src/gateway/keys.js'
import { BIN, type S3Env } from './s3env.js'
import { tempDir } from './temp.js'

interface Teardown { teardown: (fn: () => unknown) => void }

/** SHA-256 and HMAC-SHA256 in the shape the SDK's signer takes. */
type Data = string | ArrayBuffer | ArrayBufferView

function bytesOf (data: Data): string | Uint8Array {
  return typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data)
}

class NodeSha256 {
  private readonly h
  constructor (secret?: Data) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret))
  }

  update (data: Data): void { this.h.update(bytesOf(data)) }
  async digest (): Promise<Uint8Array> { return this.h.digest() }
  reset (): void {}
}

export interface Creds { accessKeyId: string, secretAccessKey: string }

/**
 * The AWS SDK's own SigV4 signer: an implementation independent of the
 * gateway's verifier. Paths are signed exactly as given (S3 does not
 * encode them twice).
 */
export function sdkSigner (creds: Creds, region = 'us-east-1'): SignatureV4 {
  return new SignatureV4({ credentials: creds, region, service: 's3', sha256: NodeSha256, uriEscapePath: false })
}

export interface RawRequest {
  method?: string
  /** The path as sent, already percent-encoded as the test wants it on the wire. */
  path: string
  /** Decoded query parameters. */
  query?: Record<string, string>
  headers?: Record<string, string>
  body?: Buffer
  /** Sign this path instead of the one sent (to test how paths are canonicalised). */
  signPath?: string
  signingDate?: Date
  /** Presign for this many seconds instead of signing headers. */
  presign?: number
  region?: string
  /** No signature at all. */
  anonymous?: boolean
  /** Headers changed after signing (to tamper with a signed request). */
  sendHeaders?: Record<string, string>
  /** Query parameters added after signing. */
  extraQuery?: Record<string, string>
}

export interface RawResponse { status: number, headers: Record<string, string | string[] | undefined>, body: Buffer }

function encodeQuery (query: Record<string, string | string[] | null | undefined>): string {
  const enc = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase())
  return Object.entries(query).flatMap(([k, v]) =>
    v === null || v === undefined ? [enc(k)] : (Array.isArray(v) ? v : [v]).map(x => `${enc(k)}=${enc(x)}`)).join('&')
}

/** One HTTP request to the gateway, signed by the SDK's signer, sent with node:http (no URL normalisation). */
export async function rawS3 (endpoint: string, creds: Creds, r: RawRequest): Promise<RawResponse> {
  const url = new URL(endpoint)
  const host = url.host
  const body = r.body ?? Buffer.alloc(0)
  let headers: Record<string, string> = { host, ...(body.length > 0 ? { 'content-length': String(body.length) } : {}), ...r.headers }
  let query: Record<string, string | string[] | null | undefined> = { ...r.query }
  if (r.anonymous !== true) {
    const signer = sdkSigner(creds, r.region)
    const base = {
      method: r.method ?? 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port),
      path: r.signPath ?? r.path, query, headers: { ...headers }, body
    }
    if (r.presign !== undefined) {
      // As S3's presigners do: the payload of a presigned URL is never signed.
      base.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD'
      const signed = await signer.presign(base as any, { expiresIn: r.presign, signingDate: r.signingDate })
      query = signed.query as typeof query
    } else {
      const payload = createHash('sha256').update(body).digest('hex')
      base.headers['x-amz-content-sha256'] = r.headers?.['x-amz-content-sha256'] ?? payload
      const signed = await signer.sign(base as any, { signingDate: r.signingDate }) as unknown as { headers: Record<string, string> }
      headers = signed.headers
    }
  }
  headers = { ...headers, ...r.sendHeaders }
  const qs = encodeQuery({ ...query, ...r.extraQuery })
  return await new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: r.method ?? 'GET', path: r.path + (qs === '' ? '' : '?' + qs), headers }, res => {
      const parts: Buffer[] = []
      res.on('data', (c: Buffer) => parts.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** A presigned GET URL, made by the SDK's signer as S3's presigners make them. */
export async function presignUrl (endpoint: string, creds: Creds, path: string, expiresIn: number, signingDate?: Date): Promise<string> {
  const url = new URL(endpoint)
  const signed = await sdkSigner(creds).presign({
    method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query: {},
    headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }
  } as any, { expiresIn, signingDate })
  return `${endpoint}${path}?${encodeQuery(signed.query as Record<string, string>)}`
}

/** The text of one element of an XML reply (first occurrence). */
export function xmlField (xml: Buffer | string, name: string): string | undefined {
  return new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml.toString())?.[1]
}

export function xmlAll (xml: Buffer | string, name: string): string[] {
  return [...xml.toString().matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map(m => m[1])
}

export function unescapeXml (s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, '\'')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/&amp;/g, '&')
}

export interface ServedGateway {
  url: string
  /** The HTTP API beside it (token auth). */
  http: string
  creds: Creds
  keys: KeyStore
  /** XDG_CONFIG_HOME of the daemon: its keys, labels and token live below it. */
  configHome: string
  env: NodeJS.ProcessEnv
  proc: ChildProcess
  log: () => string
  stop: () => Promise<void>
}

/** A real `infinstor serve` process with its gateway on a free port, and one key for it. */
export async function serveGateway (t: Teardown, env: S3Env, extraArgs: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<ServedGateway> {
  const configHome = tempDir(t, 'gw-config')
  const keys = new KeyStore(join(configHome, 'infinstor', 's3-keys.json'))
  const key = await keys.create('tests')
  const daemonEnv = { ...env.env, XDG_CONFIG_HOME: configHome, INFINSTOR_SETTLE_MARGIN_MS: '1000', ...extraEnv }
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--s3-port', '0', ...extraArgs],
    { env: daemonEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  proc.stdout?.setEncoding('utf8').on('data', (c: string) => { out += c })
  proc.stderr?.setEncoding('utf8').on('data', (c: string) => { err += c })
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
    await once(proc, 'exit').catch(() => {})
    clearTimeout(timer)
  }
  t.teardown(stop)
  const started = Date.now()
  while (!/S3 gateway on (\S+)/.test(out)) {
    if (proc.exitCode !== null || Date.now() - started > 60_000) {
      throw new Error(`infinstor serve did not start its gateway:\n${out}\n${err}`)
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return {
    url: (/S3 gateway on (\S+)/.exec(out) as RegExpExecArray)[1],
    http: (/serving on (\S+)/.exec(out) as RegExpExecArray)[1],
    creds: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    keys,
    configHome,
    env: daemonEnv,
    proc,
    log: () => err,
    stop
  }
}
