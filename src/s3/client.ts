import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3'
import type { RequestParts } from './http1.js'

interface RawResponse { statusCode?: number, headers?: Record<string, string>, body?: unknown }

export interface S3Options {
  /** Custom endpoint, e.g. http://127.0.0.1:5000; AWS_ENDPOINT_URL also works. */
  endpoint?: string
  region?: string
  /** Path-style addressing; defaults to on whenever an endpoint is given. */
  pathStyle?: boolean
  /** Attempts per request, including the first (the SDK's standard retry). */
  attempts: number
  /** Idle time on a socket before a request fails, in ms. */
  timeoutMs: number
  /** Requests in flight at once, over all operations. */
  concurrency: number
}

/** The server's clock as seen through Date headers (whole seconds), and when the server last answered. */
export class ServerClock {
  private offset: number | undefined

  /**
   * Local time the server last answered any request, errors included: a
   * server that answers others is slow, not gone.
   */
  lastHeard = Date.now()

  observe (serverDate: number, receivedAt: number): void {
    this.offset = serverDate - receivedAt
  }

  get known (): boolean { return this.offset !== undefined }

  /**
   * The latest the server's clock can read now. Date headers drop the
   * fraction, so the true time is up to a second past the header.
   */
  latestNow (): number { return Date.now() + (this.offset ?? 0) + 1000 }

  /**
   * The earliest the server's clock can read now: a header was stamped
   * before it was received, so the offset it gives is never too large.
   */
  earliestNow (): number { return Date.now() + (this.offset ?? 0) }
}

/** Per-request facts the middleware records for the caller. */
export interface ResponseFacts {
  serverDate?: number
  /** For ListObjectVersions: `key\0versionId` to its position in the XML. */
  positions?: Map<string, number>
  /** For GetObject: the request as signed and sent (where the bucket lives). */
  request?: RequestParts
}

export const FACTS = Symbol('infinstor.responseFacts')

/** The region requests are signed for: the option, else the environment, else us-east-1. */
export function regionOf (opts: S3Options): string {
  return opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1'
}

/**
 * An S3 client with the SDK's own retry, timeouts and checksum settings.
 * `handler` replaces the SDK's HTTP handler (see raw-get.ts); `idleTimeoutMs`
 * replaces the socket's idle timeout (0: none, for callers that watch the
 * request themselves).
 */
export async function createClient (opts: S3Options, clock: ServerClock, handler?: S3ClientConfig['requestHandler'],
  idleTimeoutMs = opts.timeoutMs): Promise<S3Client> {
  // Loaded on first use: a command the history index answers sends no
  // request, and loading the SDK is most of a fresh process's start.
  const { S3Client } = await import('@aws-sdk/client-s3')
  // Node 20 is this project's supported runtime; the SDK's notice about its
  // future plans would print on every command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const endpoint = opts.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL
  const client = new S3Client({
    endpoint,
    region: regionOf(opts),
    forcePathStyle: opts.pathStyle ?? endpoint !== undefined,
    maxAttempts: opts.attempts,
    // Checksums of whole bodies cost CPU on every read and are not required
    // by S3-compatible servers; TLS and ETags already guard the bytes.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: handler ?? {
      connectionTimeout: opts.timeoutMs,
      socketTimeout: idleTimeoutMs,
      httpAgent: { keepAlive: true, maxSockets: opts.concurrency * 2 },
      httpsAgent: { keepAlive: true, maxSockets: opts.concurrency * 2 }
    }
  })
  installFactsMiddleware(client, clock)
  return client
}

function installFactsMiddleware (client: S3Client, clock: ServerClock): void {
  const stack = client.middlewareStack
  // Inside the deserializer: sees the raw response before it is parsed.
  stack.add((next, context) => async (args) => {
    const result = await next(args)
    // Any answer, errors included (they are parsed later, outside this step).
    clock.lastHeard = Date.now()
    const response = result.response as RawResponse
    const facts: ResponseFacts = {}
    const date = response.headers?.date
    if (date !== undefined) {
      facts.serverDate = Date.parse(date)
      clock.observe(facts.serverDate, Date.now())
    }
    // What the lean GETs learn a bucket's route from (lean-get.ts).
    if (context.commandName === 'GetObjectCommand' || context.commandName === 'GetBucketVersioningCommand') facts.request = args.request as RequestParts
    if (context.commandName === 'ListObjectVersionsCommand' && response.statusCode === 200) {
      const body = await readAll(response.body)
      response.body = body
      facts.positions = listingPositions(new TextDecoder().decode(body))
    }
    ;(context as Record<symbol, unknown>)[FACTS] = facts
    return result
  }, { step: 'deserialize', name: 'infinstorRawFacts', priority: 'low' })
  // Outside everything: hands the facts to the caller on the parsed output.
  stack.add((next, context) => async (args) => {
    const result = await next(args)
    Object.defineProperty(result.output, FACTS, { value: (context as Record<symbol, unknown>)[FACTS] })
    return result
  }, { step: 'initialize', name: 'infinstorAttachFacts', priority: 'high' })
}

async function readAll (body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body
  const chunks: Buffer[] = []
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk)
  return new Uint8Array(Buffer.concat(chunks))
}

/**
 * The SDK splits a version listing into Versions and DeleteMarkers, losing
 * how they were interleaved. That order breaks ties between a version and a
 * marker stamped in the same second, so it is read from the XML itself.
 */
export function listingPositions (xml: string): Map<string, number> {
  const positions = new Map<string, number>()
  const entry = /<(Version|DeleteMarker)>([\s\S]*?)<\/\1>/g
  let m: RegExpExecArray | null
  while ((m = entry.exec(xml)) !== null) {
    const key = /<Key>([\s\S]*?)<\/Key>/.exec(m[2])?.[1]
    const id = /<VersionId>([\s\S]*?)<\/VersionId>/.exec(m[2])?.[1]
    if (key !== undefined && id !== undefined) {
      positions.set(`${unescapeXml(key)}\0${unescapeXml(id)}`, positions.size)
    }
  }
  return positions
}

function unescapeXml (s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e]
  })
}

export function factsOf (output: object): ResponseFacts {
  return (output as Record<symbol, ResponseFacts | undefined>)[FACTS] ?? {}
}
