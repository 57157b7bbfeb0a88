import pLimit from 'p-limit'
import { compareKeys, type ListedVersion } from '../core/versions.js'
import type { S3Access } from '../s3/access.js'
import type { SqsAccess } from '../s3/sqs.js'
import { endpointOf } from './endpoint.js'
import type { IndexStore } from './open.js'
import { rowsOfKey } from './rows.js'

/** Keys of one batch of messages re-read at once. */
const REFRESH_CONCURRENCY = 4

/** A key that an S3 event says changed: only a hint, re-read from S3 before use. */
export interface EventHint { bucket: string, key: string, time?: number }

/** Keys in S3 event notifications are form-encoded: '+' for a space, %XX for other bytes. */
export function decodeEventKey (raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}

/** Event times are UTC; some servers leave out the zone. */
export function parseEventTime (text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined
  const t = Date.parse(/([zZ]|[+-]\d\d:?\d\d)$/.test(text) ? text : text + 'Z')
  return Number.isFinite(t) ? t : undefined
}

type Json = Record<string, unknown>
const field = (o: unknown, name: string): unknown => typeof o === 'object' && o !== null ? (o as Json)[name] : undefined

/**
 * The keys an SQS message's S3 notification names: directly from S3, or
 * wrapped by SNS. Test events, other messages and malformed records name
 * none. Nothing else in a record is trusted (ids, sizes, sequencers may be
 * missing or stale): the key is re-read.
 */
export function parseEventMessage (body: string): EventHint[] {
  let doc: unknown
  try {
    doc = JSON.parse(body)
  } catch {
    return []
  }
  const wrapped = field(doc, 'Message')
  if (field(doc, 'Type') === 'Notification' && typeof wrapped === 'string') return parseEventMessage(wrapped)
  const records = field(doc, 'Records')
  if (!Array.isArray(records)) return []
  const out: EventHint[] = []
  for (const r of records) {
    const s3 = field(r, 's3')
    const bucket = field(field(s3, 'bucket'), 'name')
    const raw = field(field(s3, 'object'), 'key')
    const key = typeof raw === 'string' ? decodeEventKey(raw) : undefined
    if (typeof bucket === 'string' && key !== undefined && key !== '') out.push({ bucket, key, time: parseEventTime(field(r, 'eventTime')) })
  }
  return out
}

/**
 * Re-reads one key's history (ListObjectVersions with the key as prefix,
 * stopping at the first other key: the key itself sorts first) and makes it
 * the index's rows for that key, in one transaction. False, with nothing
 * written, when the index holds the bucket's history from another endpoint
 * than `s3`'s.
 */
export async function refreshKey (s3: S3Access, index: IndexStore, hint: EventHint, pageSize: number): Promise<boolean> {
  const entries: ListedVersion[] = []
  let passed = false
  for await (const page of s3.listVersions(hint.bucket, hint.key, undefined, { maxKeys: pageSize })) {
    for (const e of page.entries) {
      if (e.key === hint.key) entries.push(e)
      else if (compareKeys(e.key, hint.key) > 0) passed = true
    }
    if (passed) break
  }
  return await index.writes.replaceKey(hint.bucket, hint.key, rowsOfKey(entries), hint.time, endpointOf(s3))
}

export interface WatchOptions {
  queueUrl: string
  pageSize: number
  /** Long-poll wait per receive, in seconds (SQS allows up to 20). */
  waitSeconds: number
  /** Only these buckets; by default every bucket the index holds. */
  buckets?: ReadonlySet<string>
  onError?: (e: unknown) => void
}

/**
 * Live capture: reads S3 event notifications from SQS and re-reads each key
 * they name. Duplicates, reordering and missing fields do no harm (each
 * key's rows are replaced by what S3 lists now); a dropped event or a delete
 * that sends none (moto sends no DeleteMarkerCreated) is caught by the next
 * sweep. A message is deleted only after its keys are written.
 */
export class EventWatcher {
  readonly stats = { messages: 0, keys: 0, ignored: 0 }

  constructor (private readonly sqs: SqsAccess, private readonly s3: S3Access, private readonly index: IndexStore,
    private readonly o: WatchOptions) {}

  /** One receive and what it names; returns the number of messages handled. */
  async pollOnce (signal?: AbortSignal): Promise<number> {
    const messages = await this.sqs.receive(this.o.queueUrl, this.o.waitSeconds, signal)
    const hints = new Map<string, EventHint>()
    for (const m of messages) {
      const found = parseEventMessage(m.body)
      if (found.length === 0) this.stats.ignored++
      for (const h of found) {
        const id = `${h.bucket}\0${h.key}`
        const seen = hints.get(id)
        if (seen === undefined || (h.time ?? 0) > (seen.time ?? 0)) hints.set(id, h)
      }
    }
    // Distinct keys are independent: re-read a few at once (each write is its own transaction).
    const limit = pLimit(REFRESH_CONCURRENCY)
    await Promise.all([...hints.values()].map(async h => await limit(async () => {
      if (!await this.wanted(h.bucket)) {
        this.stats.ignored++
        return
      }
      if (await refreshKey(this.s3, this.index, h, this.o.pageSize)) this.stats.keys++
      else this.stats.ignored++
    })))
    await this.sqs.delete(this.o.queueUrl, messages)
    this.stats.messages += messages.length
    return messages.length
  }

  private async wanted (bucket: string): Promise<boolean> {
    if (this.o.buckets !== undefined) return this.o.buckets.has(bucket)
    // Only buckets indexed from this endpoint: a bucket of the same name elsewhere is another bucket.
    return (await this.index.bucket(bucket))?.endpoint === endpointOf(this.s3)
  }

  /** Polls until aborted; a failed round is reported and retried after a pause (its messages come back). */
  async run (signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.pollOnce(signal)
      } catch (e) {
        if (signal.aborted) break
        this.o.onError?.(e)
        await pause(5000, signal)
      }
    }
  }
}

/** Waits `ms`, or less if aborted (never rejects). */
export async function pause (ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>(resolve => {
    const done = (): void => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve() }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done)
  })
}
