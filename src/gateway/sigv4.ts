import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { S3Error } from './errors.js'
import type { Target } from './request.js'

/**
 * SigV4 verification for S3 requests: the Authorization header or a
 * presigned query string, any region in the scope, UNSIGNED-PAYLOAD or a
 * SHA-256 payload hash (the caller checks the body against it). Written from
 * the AWS documentation ("Authenticating Requests: AWS Signature Version 4").
 */

export const MAX_SKEW_MS = 15 * 60_000
const MAX_PRESIGN_S = 7 * 24 * 3600
const ALGORITHM = 'AWS4-HMAC-SHA256'
export const UNSIGNED = 'UNSIGNED-PAYLOAD'
export const EMPTY_SHA256 = createHash('sha256').update('').digest('hex')

export interface SigningRequest {
  method: string
  target: Target
  /** Header values by lower-case name, every occurrence kept (node's headersDistinct). */
  headers: Record<string, string[] | undefined>
}

export interface Verified {
  accessKeyId: string
  /** A SHA-256 the body must have, when the client signed one; undefined for UNSIGNED-PAYLOAD. */
  payloadHash?: string
  /** The payload line of the canonical request, as the client signed it. */
  payload: string
}

/** Looks up the secret of an access key id (undefined: unknown key). */
export type SecretLookup = (accessKeyId: string) => Promise<string | undefined>

interface Parsed {
  accessKeyId: string
  scopeDate: string
  region: string
  service: string
  signedHeaders: string[]
  signature: string
  amzDate: string
  payload: string
  presigned: boolean
}

const denied = (message: string): S3Error => new S3Error(403, 'AccessDenied', message)
const malformed = (message: string): S3Error => new S3Error(400, 'AuthorizationHeaderMalformed', message)

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - . _ ~ (and '/' in paths). */
export function uriEncode (text: string, keepSlash: boolean, keep = ''): string {
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte)
    if (UNRESERVED.has(byte) || (keepSlash && c === '/') || keep.includes(c)) out += c
    else out += HEX[byte]
  }
  return out
}

const UNRESERVED = new Set([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~'].map(c => c.charCodeAt(0)))
const HEX = Array.from({ length: 256 }, (_, b) => '%' + b.toString(16).toUpperCase().padStart(2, '0'))

function first (req: SigningRequest, name: string): string | undefined {
  return req.headers[name]?.[0]
}

/** `YYYYMMDDTHHMMSSZ` to ms, or NaN. */
function parseAmzDate (text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text)
  return m === null ? NaN : Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])
}

function parseCredential (credential: string): Pick<Parsed, 'accessKeyId' | 'scopeDate' | 'region' | 'service'> {
  const parts = credential.split('/')
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1]) || parts[0] === '') {
    throw malformed(`the credential '${credential.split('/').slice(1).join('/')}' is not ACCESS_KEY/YYYYMMDD/REGION/SERVICE/aws4_request`)
  }
  if (parts[3] !== 's3') throw malformed(`the credential's service is '${parts[3]}'; sign for 's3'`)
  return { accessKeyId: parts[0], scopeDate: parts[1], region: parts[2], service: parts[3] }
}

function fromHeader (req: SigningRequest, auth: string): Parsed {
  const fields = new Map<string, string>()
  for (const part of auth.slice(ALGORITHM.length).split(',')) {
    const eq = part.indexOf('=')
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  const credential = fields.get('Credential')
  const signed = fields.get('SignedHeaders')
  const signature = fields.get('Signature')
  if (credential === undefined || signed === undefined || signature === undefined) {
    throw malformed('the Authorization header needs Credential, SignedHeaders and Signature')
  }
  const amzDate = first(req, 'x-amz-date') ?? toAmzDate(Date.parse(first(req, 'date') ?? ''))
  const hash = first(req, 'x-amz-content-sha256')
  return {
    ...parseCredential(credential),
    signedHeaders: signed.split(';'),
    signature,
    amzDate,
    // Without the header, the client signed the hash of the body it sent (nothing, for a read).
    payload: hash ?? EMPTY_SHA256,
    presigned: false
  }
}

function fromQuery (query: Map<string, string>): Parsed {
  const need = (name: string): string => {
    const v = query.get(name)
    if (v === undefined || v === '') throw denied(`a presigned URL needs ${name}`)
    return v
  }
  return {
    ...parseCredential(need('X-Amz-Credential')),
    signedHeaders: need('X-Amz-SignedHeaders').split(';'),
    signature: need('X-Amz-Signature'),
    amzDate: need('X-Amz-Date'),
    payload: query.get('X-Amz-Content-Sha256') ?? UNSIGNED,
    presigned: true
  }
}

function toAmzDate (ms: number): string {
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
}

function checkTime (p: Parsed, query: Map<string, string>, now: number): void {
  const t = parseAmzDate(p.amzDate)
  if (Number.isNaN(t)) throw denied('the request has no valid X-Amz-Date (or Date) to check its signature against')
  if (p.amzDate.slice(0, 8) !== p.scopeDate) {
    throw malformed(`the credential's date ${p.scopeDate} is not the request's date ${p.amzDate.slice(0, 8)}`)
  }
  if (p.presigned) {
    const expires = Number(query.get('X-Amz-Expires'))
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_S) {
      throw denied(`X-Amz-Expires must be a number of seconds from 1 to ${MAX_PRESIGN_S}`)
    }
    if (t - now > MAX_SKEW_MS) throw denied('the presigned URL is not valid yet (its X-Amz-Date is in the future)')
    if (now > t + expires * 1000) throw denied('Request has expired')
    return
  }
  if (Math.abs(now - t) > MAX_SKEW_MS) {
    throw new S3Error(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large',
      { details: { RequestTime: p.amzDate, ServerTime: new Date(now).toISOString(), MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS) } })
  }
}

/** The canonical query: every parameter but the signature, strictly encoded, sorted. */
function canonicalQuery (target: Target, presigned: boolean): string {
  return target.query
    .filter(([name]) => !(presigned && name === 'X-Amz-Signature'))
    .map(([n, v]) => [uriEncode(n, false), uriEncode(v, false)])
    .sort(([a, x], [b, y]) => a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0)
    .map(([n, v]) => `${n}=${v}`).join('&')
}

function canonicalHeaders (req: SigningRequest, names: string[]): string {
  return names.map(n => `${n}:${(req.headers[n] ?? []).map(v => v.trim().replace(/\s+/g, ' ')).join(',')}\n`).join('')
}

/**
 * The paths a client may have signed: as sent, and the decoded path encoded
 * strictly, with '@' as %40 or literal, or with every character a path
 * segment allows (RFC 3986 pchar) left literal. Clients differ on '@'
 * (boto3's bucket calls and pyarrow encode it, polars, rclone and node do
 * not), and some send it differently from how they signed it.
 */
function candidatePaths (target: Target): string[] {
  const out = [target.rawPath, uriEncode(target.path, true), uriEncode(target.path, true, '@'), uriEncode(target.path, true, PCHAR)]
  return [...new Set(out)]
}

const PCHAR = "!$&'()*+,;=:@"

const keyCache = new Map<string, Buffer>()

function signingKey (secret: string, p: Parsed): Buffer {
  const id = `${secret}\0${p.scopeDate}\0${p.region}\0${p.service}`
  let key = keyCache.get(id)
  if (key === undefined) {
    const hmac = (k: string | Buffer, data: string): Buffer => createHmac('sha256', k).update(data).digest()
    key = hmac(hmac(hmac(hmac('AWS4' + secret, p.scopeDate), p.region), p.service), 'aws4_request')
    if (keyCache.size > 256) keyCache.clear()
    keyCache.set(id, key)
  }
  return key
}

function sameHex (a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase())
  const y = Buffer.from(b.toLowerCase())
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Checks a request's SigV4 signature; throws the S3 error a client should see. */
export async function verifySigV4 (req: SigningRequest, lookup: SecretLookup, now = Date.now()): Promise<Verified> {
  const query = new Map(req.target.query)
  const auth = first(req, 'authorization')
  let p: Parsed
  if (auth !== undefined && auth.startsWith(ALGORITHM + ' ')) p = fromHeader(req, auth)
  else if (auth !== undefined) {
    throw new S3Error(400, 'InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.')
  } else if (query.get('X-Amz-Algorithm') === ALGORITHM) p = fromQuery(query)
  else if (query.has('X-Amz-Algorithm') || query.has('Signature')) {
    throw new S3Error(400, 'InvalidRequest', 'Only presigned URLs signed with AWS4-HMAC-SHA256 are supported.')
  } else throw denied('anonymous access is off: sign requests with SigV4, using a key from `infinstor keys create`')

  if (!p.signedHeaders.includes('host')) throw malformed('the signature must cover the host header')
  if (p.payload !== UNSIGNED && !/^[0-9a-f]{64}$/i.test(p.payload) && !p.payload.startsWith('STREAMING-')) {
    throw new S3Error(400, 'InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a hex SHA-256')
  }
  checkTime(p, query, now)
  const secret = await lookup(p.accessKeyId)
  if (secret === undefined) {
    throw new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.',
      { details: { AWSAccessKeyId: p.accessKeyId } })
  }
  const key = signingKey(secret, p)
  const scope = `${p.scopeDate}/${p.region}/${p.service}/aws4_request`
  const rest = [canonicalQuery(req.target, p.presigned), canonicalHeaders(req, p.signedHeaders), p.signedHeaders.join(';'), p.payload]
  let firstCanonical = ''
  for (const path of candidatePaths(req.target)) {
    const canonical = [req.method, path, ...rest].join('\n')
    firstCanonical ||= canonical
    const toSign = [ALGORITHM, p.amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n')
    if (sameHex(createHmac('sha256', key).update(toSign).digest('hex'), p.signature)) {
      return { accessKeyId: p.accessKeyId, payload: p.payload, payloadHash: /^[0-9a-f]{64}$/i.test(p.payload) ? p.payload.toLowerCase() : undefined }
    }
  }
  throw new S3Error(403, 'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    { details: { AWSAccessKeyId: p.accessKeyId, CanonicalRequest: firstCanonical } })
}
