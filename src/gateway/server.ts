import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Log } from '../config/log.js'
import { InfinError } from '../core/errors.js'
import type { Engine } from '../engine/engine.js'
import type { Reader } from '../reader/types.js'
import { methodNotAllowed, notImplemented, S3Error, toS3Error } from './errors.js'
import { getObject } from './get-object.js'
import { headBucket } from './head-bucket.js'
import { listBuckets } from './list-buckets.js'
import { listObjectsV1, listObjectsV2 } from './list-objects.js'
import { Listings } from './listing.js'
import { getBucketLocation } from './location.js'
import { sendError, type Exchange } from './reply.js'
import { addressOf, hasParam, param, parseTarget, type Target } from './request.js'
import { verifySigV4, type SecretLookup, type Verified } from './sigv4.js'

export interface GatewayDeps {
  engine: Engine
  /** The block cache and readahead the mount uses, so a version is fetched once for both. */
  reader: Reader
  keys: { secretOf: SecretLookup }
  host: string
  port: number
  log: Log
}

export interface Gateway {
  url: string
  port: number
  close: () => Promise<void>
}

/** A connection that moves no bytes for this long (a stalled client) is closed, releasing its reply. */
const IDLE_MS = 120_000
/** Request bodies the gateway reads: reads carry none, refused writes are drained up to this. */
const MAX_BODY = 1024 * 1024

/** Bucket and object subresources the gateway does not serve: 501 rather than a wrong answer. */
const UNSUPPORTED = ['versions', 'versioning', 'acl', 'policy', 'policyStatus', 'cors', 'lifecycle', 'tagging', 'uploads',
  'uploadId', 'website', 'logging', 'notification', 'replication', 'encryption', 'object-lock', 'accelerate', 'requestPayment',
  'ownershipControls', 'publicAccessBlock', 'intelligent-tiering', 'analytics', 'metrics', 'inventory', 'attributes',
  'retention', 'legal-hold', 'torrent', 'partNumber', 'select', 'restore', 'session']

/**
 * Reads a body up to `limit` bytes; undefined when it is longer (the rest
 * is left unread: the reply then closes the connection).
 */
async function readBody (req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (req.readableEnded) return Buffer.alloc(0)
  return await new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    let size = 0
    const done = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      parts.push(chunk)
      if (size <= limit) return
      done()
      req.pause()
      resolve(undefined)
    }
    const onEnd = (): void => { done(); resolve(Buffer.concat(parts)) }
    const onError = (e: Error): void => { done(); reject(e) }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}

/** A signed payload hash must be the hash of what came. */
async function checkPayload (req: IncomingMessage, verified: Verified): Promise<void> {
  if (verified.payloadHash === undefined) return
  const body = await readBody(req, MAX_BODY)
  if (body === undefined) throw new S3Error(400, 'MaxMessageLengthExceeded', 'a read request carries no body')
  if (createHash('sha256').update(body).digest('hex') !== verified.payloadHash) {
    throw new S3Error(400, 'XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.')
  }
}

async function route (x: Exchange, deps: GatewayDeps, listings: Listings): Promise<void> {
  const { engine, reader } = deps
  const addr = addressOf(x.target.path)
  const viewText = addr.pathView ?? 'latest'
  const unsupported = UNSUPPORTED.find(name => hasParam(x.target, name))
  if (unsupported !== undefined) throw notImplemented(`?${unsupported}`)
  if (addr.bucket === undefined) {
    await listBuckets(x, engine)
  } else if (addr.key !== undefined) {
    await getObject(x, engine, reader, { ...addr, bucket: addr.bucket, key: addr.key })
  } else if (x.head) {
    await headBucket(x, engine, addr.bucket, viewText)
  } else if (hasParam(x.target, 'location')) {
    await getBucketLocation(x, engine, addr.bucket, viewText)
  } else if (hasParam(x.target, 'list-type')) {
    if (param(x.target, 'list-type') !== '2') throw new S3Error(400, 'InvalidArgument', 'list-type must be 2')
    await listObjectsV2(x, engine, listings, { ...addr, bucket: addr.bucket })
  } else {
    await listObjectsV1(x, engine, listings, { ...addr, bucket: addr.bucket })
  }
}

/**
 * The read-only S3-compatible time-travel gateway: any bucket at any time,
 * slice or label, for unchanged S3 clients. Every request needs a SigV4
 * signature by a key from `infinstor keys create`; writes are refused.
 */
export async function startGateway (deps: GatewayDeps): Promise<Gateway> {
  const listings = new Listings(deps.engine)
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomBytes(8).toString('hex').toUpperCase()
    const method = req.method ?? 'GET'
    const fallback: Target = { rawPath: '/', rawQuery: '', path: '/', query: [] }
    const x: Exchange = { req, res, target: fallback, requestId, head: method === 'HEAD' }
    try {
      x.target = parseTarget(req.url ?? '/')
      const verified = await verifySigV4({ method, target: x.target, headers: req.headersDistinct }, async id => await deps.keys.secretOf(id))
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method)
      await checkPayload(req, verified)
      await route(x, deps, listings)
    } catch (e) {
      const err = toS3Error(e, 'object')
      if (err.status >= 500) deps.log.info(`S3 gateway: ${method} ${x.target.path} (request ${requestId}): ${err.code}: ${err.message}`)
      if (res.headersSent) {
        res.destroy()
        return
      }
      // A refused upload is drained when small, so the client reads the refusal rather than a reset.
      if (!req.complete && (await readBody(req, MAX_BODY).catch(() => undefined)) === undefined) res.shouldKeepAlive = false
      sendError(x, err)
    }
  }
  const server = createServer((req, res) => { void handle(req, res) })
  server.setTimeout(IDLE_MS)
  await new Promise<void>((resolve, reject) => {
    server.once('error', e => {
      const code = (e as NodeJS.ErrnoException).code
      reject(new InfinError('Unavailable', code === 'EADDRINUSE'
        ? `the S3 gateway's port ${deps.port} on ${deps.host} is taken (choose another with --s3-port)`
        : `the S3 gateway cannot listen on ${deps.host}:${deps.port}: ${(e as Error).message}`))
    })
    server.listen(deps.port, deps.host, () => resolve())
  })
  server.on('error', e => deps.log.info(`S3 gateway: ${(e as Error).message}`))
  const port = (server.address() as AddressInfo).port
  const host = deps.host.includes(':') ? `[${deps.host}]` : deps.host
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
