import { SignatureV4 } from '@smithy/signature-v4'
import type { RequestParts } from './http1.js'
import { RawBody, type RawGetHandler } from './raw-get.js'

/** SHA-256 of an empty body: what a GET signs as its payload. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** Where one bucket's objects are, as the SDK resolved and signed a GET of it. */
interface Route {
  protocol: string
  hostname: string
  port?: number
  host: string
  /** The path up to the escaped key. */
  prefix: string
  region: string
}

type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials']
type Sha256 = ConstructorParameters<typeof SignatureV4>[0]['sha256']

/** RFC 3986 escaping of each segment of a key, as the SDK puts keys in paths. */
function escapeKey (key: string): string {
  return key.split('/').map(s => encodeURIComponent(s).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/')
}

/**
 * Object GETs without the SDK's per-request pipeline, which costs more CPU
 * than the request itself (about half of a small file's GET here). Until
 * the SDK has sent a GET of the bucket (an object's, or the bucket's
 * versioning, which a mount asks first), its GETs go through the SDK; how it
 * resolved the endpoint and the region it signed for are kept, and later GETs
 * of that bucket are signed with the SDK's SigV4 signer and sent over the raw
 * handler. Anything but a 2xx answer, or a failure before one, returns
 * undefined: the caller then sends the GET through the SDK, whose retries,
 * timeouts and error mapping apply as for any request.
 */
export class LeanGets {
  private readonly routes = new Map<string, Route>()
  private readonly signers = new Map<string, SignatureV4>()

  constructor (private readonly handler: RawGetHandler, private readonly credentials: Credentials, private readonly sha256: Sha256) {}

  /**
   * Learns a bucket's route from a GET the SDK signed: of `key`, or of the
   * bucket itself (key ''), whose path is the one its keys follow. A request
   * that does not fit is ignored.
   */
  learn (bucket: string, key: string, request: RequestParts | undefined): void {
    if (request === undefined || request.method !== 'GET' || this.routes.has(bucket)) return
    const escaped = escapeKey(key)
    const region = /Credential=[^/,]+\/\d{8}\/([^/,]+)\/s3\/aws4_request/.exec(request.headers.authorization ?? '')?.[1]
    const host = request.headers.host
    const prefix = request.path.slice(0, request.path.length - escaped.length)
    if (!request.path.endsWith(escaped) || !prefix.endsWith('/') || region === undefined || host === undefined) return
    this.routes.set(bucket, { protocol: request.protocol, hostname: request.hostname, port: request.port, host, prefix, region })
  }

  /** True once a GET through the SDK has shown where `bucket` lives. */
  knows (bucket: string): boolean { return this.routes.has(bucket) }

  /** Bytes [start, end) of a version as a body to read, or undefined (see the class). */
  async get (bucket: string, key: string, versionId: string, start: number, end: number, signal?: AbortSignal): Promise<RawBody | undefined> {
    const route = this.routes.get(bucket)
    if (route === undefined) return undefined
    let signer = this.signers.get(route.region)
    if (signer === undefined) {
      signer = new SignatureV4({ credentials: this.credentials, region: route.region, service: 's3', sha256: this.sha256, uriEscapePath: false, applyChecksum: false })
      this.signers.set(route.region, signer)
    }
    try {
      const request = await signer.sign({
        method: 'GET',
        protocol: route.protocol,
        hostname: route.hostname,
        port: route.port,
        path: route.prefix + escapeKey(key),
        query: { versionId },
        headers: { host: route.host, range: `bytes=${start}-${end - 1}`, 'x-amz-content-sha256': EMPTY_SHA256 }
      }) as RequestParts
      const { response } = await this.handler.handle(request, { abortSignal: signal })
      if (response.body instanceof RawBody) return response.body
      return undefined
    } catch {
      // Whatever went wrong, the SDK's own attempt will meet it too, and report it properly.
      return undefined
    }
  }
}
