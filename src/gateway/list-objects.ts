import type { Engine } from '../engine/engine.js'
import { invalidArgument } from './errors.js'
import type { Item, Listings } from './listing.js'
import { listingScope, param, type Address } from './request.js'
import { sendXml, type Exchange } from './reply.js'
import { uriEncode } from './sigv4.js'
import { openView } from './views.js'
import { el, xmlDocument, type Element } from './xml.js'

const MAX_KEYS = 1000
/** We know no owner: the gateway's listings are all served under one identity. */
const OWNER = el('Owner', el('ID', 'infinstor'), el('DisplayName', 'infinstor'))

function maxKeysOf (x: Exchange): number {
  const text = param(x.target, 'max-keys')
  if (text === undefined) return MAX_KEYS
  const n = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw invalidArgument('max-keys must be a non-negative integer', 'max-keys', text)
  return Math.min(n, MAX_KEYS)
}

function encoderOf (x: Exchange): { url: boolean, enc: (s: string) => string } {
  const type = param(x.target, 'encoding-type')
  if (type !== undefined && type !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', type)
  return type === 'url' ? { url: true, enc: s => uriEncode(s, true) } : { url: false, enc: s => s }
}

function contents (items: Item[], enc: (s: string) => string, owner: boolean): Element[] {
  return items.filter(i => i.version !== undefined).map(i => {
    const v = i.version as NonNullable<Item['version']>
    return el('Contents',
      el('Key', enc(i.name)),
      el('LastModified', new Date(v.lastModified).toISOString()),
      el('ETag', v.etag.startsWith('"') ? v.etag : `"${v.etag}"`),
      el('Size', v.size),
      owner ? OWNER : undefined,
      el('StorageClass', 'STANDARD'))
  })
}

function prefixes (items: Item[], enc: (s: string) => string): Element[] {
  return items.filter(i => i.version === undefined).map(i => el('CommonPrefixes', el('Prefix', enc(i.name))))
}

/** The parameters both versions share, and the page they ask for. */
async function listPage (x: Exchange, engine: Engine, listings: Listings, addr: Address & { bucket: string }, after: string | undefined): Promise<{
  prefix: string, delimiter?: string, maxKeys: number, items: Item[], truncated: boolean, enc: (s: string) => string, url: boolean
}> {
  const prefix = param(x.target, 'prefix') ?? ''
  const delimiter = param(x.target, 'delimiter') || undefined
  const maxKeys = maxKeysOf(x)
  const { enc, url } = encoderOf(x)
  const scope = listingScope(addr, prefix)
  const view = await openView(engine, addr.bucket, scope.viewText)
  const page = await listings.page(view, scope, delimiter, after, maxKeys)
  return { prefix, delimiter, maxKeys, ...page, enc, url }
}

/** ListObjectsV2 (`?list-type=2`): continuation tokens are the last name returned, base64url-encoded. */
export async function listObjectsV2 (x: Exchange, engine: Engine, listings: Listings, addr: Address & { bucket: string }): Promise<void> {
  const token = param(x.target, 'continuation-token')
  const startAfter = param(x.target, 'start-after')
  let after = startAfter === '' ? undefined : startAfter
  if (token !== undefined) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8')
    if (token === '' || Buffer.from(decoded, 'utf8').toString('base64url') !== token) {
      throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token)
    }
    after = decoded
  }
  const p = await listPage(x, engine, listings, addr, after)
  const last = p.items.at(-1)?.name
  sendXml(x, xmlDocument(el('ListBucketResult',
    el('Name', addr.bucket),
    el('Prefix', p.enc(p.prefix)),
    p.delimiter === undefined ? undefined : el('Delimiter', p.enc(p.delimiter)),
    el('MaxKeys', p.maxKeys),
    p.url ? el('EncodingType', 'url') : undefined,
    el('KeyCount', p.items.length),
    el('IsTruncated', p.truncated),
    token === undefined ? undefined : el('ContinuationToken', token),
    p.truncated && last !== undefined ? el('NextContinuationToken', Buffer.from(last, 'utf8').toString('base64url')) : undefined,
    startAfter === undefined ? undefined : el('StartAfter', p.enc(startAfter)),
    ...contents(p.items, p.enc, param(x.target, 'fetch-owner') === 'true'),
    ...prefixes(p.items, p.enc)
  )))
}

/** ListObjects (V1), paged by `marker`; NextMarker is always given when truncated. */
export async function listObjectsV1 (x: Exchange, engine: Engine, listings: Listings, addr: Address & { bucket: string }): Promise<void> {
  const marker = param(x.target, 'marker') ?? ''
  const p = await listPage(x, engine, listings, addr, marker === '' ? undefined : marker)
  const last = p.items.at(-1)?.name
  sendXml(x, xmlDocument(el('ListBucketResult',
    el('Name', addr.bucket),
    el('Prefix', p.enc(p.prefix)),
    el('Marker', p.enc(marker)),
    p.truncated && last !== undefined ? el('NextMarker', p.enc(last)) : undefined,
    el('MaxKeys', p.maxKeys),
    p.delimiter === undefined ? undefined : el('Delimiter', p.enc(p.delimiter)),
    p.url ? el('EncodingType', 'url') : undefined,
    el('IsTruncated', p.truncated),
    ...contents(p.items, p.enc, true),
    ...prefixes(p.items, p.enc)
  )))
}
