import type { Event, S3Client, S3ClientConfig } from '@aws-sdk/client-s3'
import pLimit, { type LimitFunction } from 'p-limit'
import { InfinError } from '../core/errors.js'
import { compareKeys, type ListedVersion, type VersioningState } from '../core/versions.js'
import { createClient, factsOf, regionOf, ServerClock, type S3Options } from './client.js'
import { toDomainError } from './errors.js'
import { pourPaced, type ByteSink } from './http1.js'
import type { LeanGets } from './lean-get.js'
import { whileHeard, type Heard } from './patience.js'
import { RawBody, RawGetHandler, type RawGetOptions } from './raw-get.js'

export type { VersioningState }

/** One page of ListObjectVersions, versions and markers merged. */
export interface VersionPage {
  entries: ListedVersion[]
  /** Common prefixes, each ending in the delimiter. */
  prefixes: string[]
  /** The server's Date header for this page, in ms. */
  serverDate: number
}

/** The notification InfinStor adds for the history index, recognised by this id. */
export const HISTORY_EVENTS_ID = 'infinstor-history'

export interface BucketInfo { name: string, created?: number }

/**
 * The only code that talks to S3. Every call goes through one concurrency
 * limit and the SDK's bounded retry; failures leave as domain errors.
 */
export class S3Access {
  readonly clock = new ServerClock()
  readonly endpoint: string | undefined
  readonly region: string
  private readonly limit: LimitFunction
  /** The SDK's clients, made at the first request (see createClient). */
  private clients: Promise<Clients> | undefined
  private destroyed = false

  constructor (private readonly opts: S3Options) {
    this.limit = pLimit(opts.concurrency)
    this.endpoint = opts.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL
    this.region = regionOf(opts)
  }

  /**
   * Loads the SDK and makes the clients now, for a process sure to send
   * requests (a mount), so that its first read does not also wait while the
   * SDK loads and compiles (about 0.4 CPU-seconds here). A failure is left
   * for the first request, which reports it as a domain error.
   */
  async prepare (): Promise<void> {
    await this.sdk().then(() => {}, () => {})
  }

  private async sdk (): Promise<Clients> {
    this.clients ??= makeClients(this.opts, this.clock)
    const clients = await this.clients
    if (this.destroyed) clients.destroy()
    return clients
  }

  /**
   * Asks the server whether it answers at all (a HEAD of the bucket), one
   * question at a time and outside the concurrency limit, whose slots the
   * slow requests hold: any answer, an error status included, counts.
   */
  private probe (bucket: string): void {
    if (this.probing) return
    this.probing = true
    this.requests.set('HeadBucket', (this.requests.get('HeadBucket') ?? 0) + 1)
    this.sdk()
      .then(async ({ sdk, client }) => await client.send(new sdk.HeadBucketCommand({ Bucket: bucket }), { abortSignal: AbortSignal.timeout(this.opts.timeoutMs) }))
      .catch(() => {}).finally(() => { this.probing = false })
  }

  private probing = false
  /** The server as patient requests see it (see whileHeard). */
  private readonly server: Heard = { clock: this.clock, inflight: 0 }

  /**
   * A request that reads metadata, waited for while the server answers: a
   * page of a big bucket, or anything sent to a server busy with a burst of
   * listings, can take longer than the request timeout (see whileHeard). A
   * silent server still fails it in bounded time. `send` gets the SDK's
   * module and the patient client.
   */
  private async ask<T> (op: string, what: string, bucket: string | undefined,
    send: (sdk: Clients['sdk'], client: S3Client, abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const { sdk, patient } = await this.sdk()
    const probe = (): void => { if (bucket !== undefined) this.probe(bucket) }
    return await this.call(op, what, async () =>
      await whileHeard(this.server, probe, this.opts.timeoutMs, this.opts.attempts, async signal => await send(sdk, patient, signal)))
  }

  /** Requests sent, by operation: proves caches work, and feeds diagnostics. */
  readonly requests = new Map<string, number>()

  private async call<T> (op: string, what: string, fn: () => Promise<T>): Promise<T> {
    this.requests.set(op, (this.requests.get(op) ?? 0) + 1)
    try {
      return await this.limit(fn)
    } catch (e) {
      throw toDomainError(e, what, this.endpoint)
    }
  }

  /**
   * Pages through ListObjectVersions lazily, passing both markers: servers
   * differ in how they resume from a key marker alone. `startAfter` starts
   * past that key (a resumed sweep); some servers still return a few of its
   * entries, which callers drop.
   */
  async * listVersions (bucket: string, prefix: string, delimiter?: string,
    opts: { startAfter?: string, maxKeys?: number } = {}): AsyncGenerator<VersionPage> {
    let keyMarker: string | undefined = opts.startAfter
    let versionIdMarker: string | undefined
    let position = 0
    for (;;) {
      const out = await this.ask('ListObjectVersions', `list versions of s3://${bucket}/${prefix}`, bucket,
        async (sdk, client, abortSignal) => await client.send(new sdk.ListObjectVersionsCommand({
          Bucket: bucket, Prefix: prefix, Delimiter: delimiter, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker,
          MaxKeys: opts.maxKeys
        }), { abortSignal }))
      const facts = factsOf(out)
      const base = position
      const at = (key: string, id: string, fallback: number): number =>
        base + (facts.positions?.get(`${key}\0${id}`) ?? fallback)
      const entries: ListedVersion[] = []
      for (const [i, v] of (out.Versions ?? []).entries()) {
        entries.push({
          key: v.Key ?? '', versionId: v.VersionId ?? 'null', lastModified: v.LastModified?.getTime() ?? 0,
          size: v.Size ?? 0, etag: v.ETag ?? '', deleteMarker: false, isLatest: v.IsLatest === true,
          position: at(v.Key ?? '', v.VersionId ?? 'null', i)
        })
      }
      const nv = entries.length
      for (const [i, d] of (out.DeleteMarkers ?? []).entries()) {
        entries.push({
          key: d.Key ?? '', versionId: d.VersionId ?? 'null', lastModified: d.LastModified?.getTime() ?? 0,
          size: 0, etag: '', deleteMarker: true, isLatest: d.IsLatest === true,
          position: at(d.Key ?? '', d.VersionId ?? 'null', nv + i)
        })
      }
      position += entries.length
      // The SDK parses Versions and DeleteMarkers into two lists, and some servers (moto) even send
      // them so: callers get one list in key order, as S3 lists it, each key's entries in the server's
      // order. A sweep commits a page's key range up to its last key, so this order is what makes it whole.
      entries.sort((a, b) => compareKeys(a.key, b.key) || a.position - b.position)
      yield {
        entries,
        prefixes: (out.CommonPrefixes ?? []).map(p => p.Prefix ?? ''),
        serverDate: facts.serverDate ?? Date.now()
      }
      if (out.IsTruncated !== true) return
      keyMarker = out.NextKeyMarker
      versionIdMarker = out.NextVersionIdMarker
    }
  }

  /** Bytes [start, end) of one version, in a buffer of their own. */
  async getRange (bucket: string, key: string, versionId: string, start: number, end: number,
    signal?: AbortSignal): Promise<Buffer> {
    const out = Buffer.allocUnsafe(end - start)
    let at = 0
    await this.getInto(bucket, key, versionId, start, end, {
      space: () => {
        if (at >= out.length) throw new InfinError('Corrupt', `S3 sent more than the ${out.length} bytes asked for of s3://${bucket}/${key}`)
        return out.subarray(at)
      },
      filled: n => { at += n }
    }, signal)
    if (at !== out.length) throw new InfinError('Corrupt', `S3 sent ${at} of the ${out.length} bytes asked for of s3://${bucket}/${key}`)
    return out
  }

  /**
   * Bytes [start, end) of one version, written straight into the memory
   * `sink` offers (the lean path: no chunk is allocated or copied on the
   * way). A GET goes out signed with the SDK's signer but without its
   * pipeline (see LeanGets) once the SDK has resolved the bucket; anything
   * but a 2xx answer is sent again through the SDK, which retries and maps
   * errors as for any request. The concurrency slot covers each request up
   * to its headers.
   */
  async getInto (bucket: string, key: string, versionId: string, start: number, end: number, sink: ByteSink,
    signal?: AbortSignal): Promise<void> {
    const what = `read s3://${bucket}/${key} (version ${versionId})`
    const { sdk, bytes, lean } = await this.sdk()
    let body: unknown = lean.knows(bucket)
      ? await this.call('GetObject', what, async () => await lean.get(bucket, key, versionId, start, end, signal))
      : undefined
    if (body === undefined) {
      const out = await this.call('GetObject', what, async () =>
        await bytes.send(new sdk.GetObjectCommand({
          Bucket: bucket, Key: key, VersionId: versionId, Range: `bytes=${start}-${end - 1}`
        }), { abortSignal: signal }))
      lean.learn(bucket, key, factsOf(out).request)
      body = out.Body
    }
    try {
      if (body instanceof RawBody) {
        if (body.length !== undefined && body.length !== end - start) {
          body.destroy()
          throw new InfinError('Corrupt', `cannot ${what}: S3 sent ${body.length} bytes for the ${end - start} asked for at ${start}`)
        }
        await body.into(sink)
      } else {
        for await (const chunk of (body ?? []) as AsyncIterable<Uint8Array>) await pourPaced(sink, chunk)
      }
    } catch (e) {
      throw toDomainError(e, what, this.endpoint)
    }
  }

  async getVersioning (bucket: string): Promise<VersioningState> {
    const out = await this.ask('GetBucketVersioning', `read versioning of bucket '${bucket}'`, bucket, async (sdk, client, abortSignal) =>
      await client.send(new sdk.GetBucketVersioningCommand({ Bucket: bucket }), { abortSignal }))
    // A view asks this first, so the first GET of the bucket's bytes can be lean too.
    ;(await this.sdk()).lean.learn(bucket, '', factsOf(out).request)
    return out.Status === 'Enabled' ? 'Enabled' : out.Status === 'Suspended' ? 'Suspended' : 'Off'
  }

  async setVersioning (bucket: string, on: boolean): Promise<void> {
    const { sdk, client } = await this.sdk()
    await this.call('PutBucketVersioning', `change versioning of bucket '${bucket}'`, async () =>
      await client.send(new sdk.PutBucketVersioningCommand({
        Bucket: bucket, VersioningConfiguration: { Status: on ? 'Enabled' : 'Suspended' }
      })))
  }

  /**
   * Points the bucket's object-created and object-removed notifications at
   * an SQS queue (or removes them, with no queue), keeping any other
   * notification the bucket has.
   */
  async setHistoryEvents (bucket: string, queueArn: string | undefined): Promise<void> {
    const what = `change event notifications of bucket '${bucket}'`
    const current = await this.ask('GetBucketNotificationConfiguration', what, bucket, async (commands, patient, abortSignal) =>
      await patient.send(new commands.GetBucketNotificationConfigurationCommand({ Bucket: bucket }), { abortSignal }))
    const others = (current.QueueConfigurations ?? []).filter(q => q.Id !== HISTORY_EVENTS_ID)
    if (queueArn === undefined && others.length === (current.QueueConfigurations ?? []).length) return
    const { $metadata, ...config } = current
    const queues = queueArn === undefined
      ? others
      : [...others, { Id: HISTORY_EVENTS_ID, QueueArn: queueArn, Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] as Event[] }]
    const { sdk, client } = await this.sdk()
    await this.call('PutBucketNotificationConfiguration', what, async () =>
      await client.send(new sdk.PutBucketNotificationConfigurationCommand({
        Bucket: bucket, NotificationConfiguration: { ...config, QueueConfigurations: queues }
      })))
  }

  async headBucket (bucket: string): Promise<void> {
    await this.ask('HeadBucket', `find bucket '${bucket}'`, bucket, async (sdk, client, abortSignal) =>
      await client.send(new sdk.HeadBucketCommand({ Bucket: bucket }), { abortSignal }))
  }

  async createBucket (bucket: string): Promise<void> {
    const { sdk, client } = await this.sdk()
    await this.call('CreateBucket', `create bucket '${bucket}'`, async () =>
      await client.send(new sdk.CreateBucketCommand({ Bucket: bucket })))
  }

  async listBuckets (): Promise<BucketInfo[]> {
    const out = await this.ask('ListBuckets', 'list buckets', undefined, async (sdk, client, abortSignal) =>
      await client.send(new sdk.ListBucketsCommand({}), { abortSignal }))
    return (out.Buckets ?? []).map(b => ({ name: b.Name ?? '', created: b.CreationDate?.getTime() }))
  }

  /** Writes a small object; with `ifNoneMatch` it fails with Conflict if the key exists. */
  async put (bucket: string, key: string, body: string | Uint8Array,
    opts: { ifNoneMatch?: boolean, contentType?: string } = {}): Promise<{ versionId?: string }> {
    const { sdk, client } = await this.sdk()
    const out = await this.call('PutObject', `write s3://${bucket}/${key}`, async () =>
      await client.send(new sdk.PutObjectCommand({
        // Said outright: the SDK cannot measure an empty string, and then warns of a "Stream of unknown length".
        Bucket: bucket, Key: key, Body: body, ContentLength: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
        ContentType: opts.contentType,
        IfNoneMatch: opts.ifNoneMatch === true ? '*' : undefined
      })))
    return { versionId: out.VersionId }
  }

  /** Reads a whole small object (the latest version unless one is named). */
  async get (bucket: string, key: string, versionId?: string): Promise<Buffer> {
    const { sdk, client } = await this.sdk()
    return await this.call('GetObject', `read s3://${bucket}/${key}`, async () => {
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }))
      return Buffer.from(await (out.Body as { transformToByteArray: () => Promise<Uint8Array> }).transformToByteArray())
    })
  }

  async delete (bucket: string, key: string): Promise<void> {
    const { sdk, client } = await this.sdk()
    await this.call('DeleteObject', `delete s3://${bucket}/${key}`, async () =>
      await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key })))
  }

  destroy (): void {
    this.destroyed = true
    void this.clients?.then(c => { c.destroy() }, () => {})
  }
}

interface Clients {
  /** The SDK's module: its command classes. */
  sdk: typeof import('@aws-sdk/client-s3')
  client: S3Client
  /** Requests that read metadata (listings above all): no idle timeout of their own, they wait while the server answers (see ask). */
  patient: S3Client
  /** Object GETs whose bodies go straight into callers' memory (getInto). */
  bytes: S3Client
  /** The same GETs without the SDK's pipeline, once it has shown the way to a bucket. */
  lean: LeanGets
  destroy: () => void
}

async function makeClients (opts: S3Options, clock: ServerClock): Promise<Clients> {
  const client = await createClient(opts, clock)
  const patient = await createClient(opts, clock, undefined, 0)
  const fallback = client.config.requestHandler as unknown as RawGetOptions['fallback']
  const raw = new RawGetHandler({ timeoutMs: opts.timeoutMs, fallback })
  const bytes = await createClient(opts, clock, raw as unknown as S3ClientConfig['requestHandler'])
  const { LeanGets } = await import('./lean-get.js')
  const lean = new LeanGets(raw, bytes.config.credentials, bytes.config.sha256)
  return { sdk: await import('@aws-sdk/client-s3'), client, patient, bytes, lean, destroy: () => { client.destroy(); patient.destroy(); bytes.destroy() } }
}
