// ListObjects V1 and V2 through the gateway of a real `infinstor serve`,
// against an independent oracle: continuation across 1,000+ keys, markers,
// start-after, any delimiter over odd keys, encoding-type=url, both
// naming forms, the views a bucket root offers, and bad parameters.
import { CreateBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import pLimit from 'p-limit'
import t, { type Test } from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { rawS3, serveGateway, unescapeXml, xmlAll, xmlField, type ServedGateway } from '../helpers/gateway.js'
import { nextSecond } from '../helpers/history.js'
import { s3env } from '../helpers/s3env.js'
import { byteOrder, s3List } from '../helpers/s3list.js'

const BUCKET = 'edge'
const ODD_BUCKET = 'odd'
const MANY = Array.from({ length: 1100 }, (_, i) => `many/k${String(i).padStart(4, '0')}`)
const ODD = ['a//b', 'a/./c', 'a/../d', 'a/b', 'a/b/', 'e/', 'sp ace/x y', 'plus+/y+z', 'ünï/zé', 'pct%41/v', 'q?x=1&y', 'hash#1',
  'amp&<lt>"q"\'', 'x-/y', 'x/z', 'x+y/w', 'top.txt', 'deep/1/2/3/4.txt', 'dots.../..']

interface Page { names: string[], keys: string[], prefixes: string[], xml: string }

interface ListArgs {
  prefix?: string
  delimiter?: string
  maxKeys?: number
  v1?: boolean
  url?: boolean
  startAfter?: string
  /** A `/@VIEW` path prefix before the bucket. */
  pathView?: string
  bucket?: string
}

t.test('listings through the gateway', async t => {
  const env = await s3env(t)
  const s3 = env.raw
  for (const bucket of [BUCKET, ODD_BUCKET]) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }))
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }))
  }
  const limit = pLimit(16)
  const bucketOf = (key: string): string => key.startsWith('many/') ? BUCKET : ODD_BUCKET
  const put = async (key: string, body = key): Promise<void> => { await limit(async () => await s3.send(new PutObjectCommand({ Bucket: bucketOf(key), Key: key, Body: body }))) }
  const del = async (key: string): Promise<void> => { await limit(async () => await s3.send(new DeleteObjectCommand({ Bucket: bucketOf(key), Key: key }))) }
  await nextSecond()
  await Promise.all([...MANY, ...ODD].map(async k => await put(k)))
  const t0 = Date.now()
  const state0 = new Set(MANY)
  const odd0 = new Set(ODD)
  await nextSecond()
  const removed = [...MANY.slice(0, 50), 'a//b', 'e/']
  await Promise.all([...removed.map(del), ...MANY.slice(1000, 1010).map(async k => await put(k, 'v2')), put('new/x')])
  const t1 = Date.now()
  const state1 = new Set(MANY.slice(50))
  const odd1 = new Set([...ODD.filter(k => !removed.includes(k)), 'new/x'])
  await nextSecond()

  const gw = await serveGateway(t, env)
  const views: Array<[string, Set<string>]> = [[formatInstant(t0), state0], [formatInstant(t1), state1],
    [`tm${formatInstant(Math.floor(t0 / 1000) * 1000).replace(/[-:TZ]/g, '')}`, state0], ['latest', state1]]

  /** One listing request; names come back decoded. */
  const listOnce = async (gw: ServedGateway, a: ListArgs, marker?: string): Promise<Page & { truncated: boolean, next?: string }> => {
    const query: Record<string, string> = a.v1 === true ? {} : { 'list-type': '2' }
    if (a.prefix !== undefined) query.prefix = a.prefix
    if (a.delimiter !== undefined) query.delimiter = a.delimiter
    if (a.maxKeys !== undefined) query['max-keys'] = String(a.maxKeys)
    if (a.url === true) query['encoding-type'] = 'url'
    if (a.startAfter !== undefined) query['start-after'] = a.startAfter
    if (marker !== undefined) query[a.v1 === true ? 'marker' : 'continuation-token'] = marker
    const path = (a.pathView === undefined ? '' : `/${encodeURIComponent('@' + a.pathView)}`) + `/${a.bucket ?? BUCKET}`
    const res = await rawS3(gw.url, gw.creds, { path, query })
    const xml = res.body.toString()
    if (res.status !== 200) throw new Error(`listing ${JSON.stringify(a)}: ${res.status} ${xml}`)
    const dec = (s: string): string => a.url === true ? decodeURIComponent(unescapeXml(s)) : unescapeXml(s)
    const keys = xmlAll(xml.replace(/<CommonPrefixes>[\s\S]*?<\/CommonPrefixes>/g, ''), 'Key').map(dec)
    const prefixes = xmlAll(xml.replace(/<Contents>[\s\S]*?<\/Contents>/g, ''), 'Prefix').slice(1).map(dec)
    const truncated = xmlField(xml, 'IsTruncated') === 'true'
    const nextTag = a.v1 === true ? 'NextMarker' : 'NextContinuationToken'
    const rawNext = xmlField(xml, nextTag)
    const next = rawNext === undefined ? undefined : a.v1 === true ? dec(rawNext) : unescapeXml(rawNext)
    return { names: [...keys, ...prefixes].sort(byteOrder), keys, prefixes, xml, truncated, next }
  }

  /** Pages through a whole listing, checking each page's shape. */
  const listAll = async (t: Test, a: ListArgs): Promise<Page & { pages: number }> => {
    const all: Page = { names: [], keys: [], prefixes: [], xml: '' }
    let marker: string | undefined
    let pages = 0
    for (;;) {
      const p = await listOnce(gw, a, marker)
      pages++
      if (a.maxKeys !== undefined) t.ok(p.names.length <= a.maxKeys, 'a page holds at most max-keys')
      if (a.v1 !== true) t.equal(Number(xmlField(p.xml, 'KeyCount')), p.names.length, 'KeyCount counts keys and prefixes')
      all.names.push(...p.names)
      all.keys.push(...p.keys)
      all.prefixes.push(...p.prefixes)
      if (!p.truncated) break
      t.ok(p.next !== undefined, 'a truncated page says where to go on')
      marker = p.next
      if (pages > 2000) throw new Error('listing does not end')
    }
    return { ...all, pages }
  }

  await t.test('1,100 keys continue across pages, at each time and in both forms', async t => {
    for (const [spec, state] of views) {
      const want = s3List(state, 'many/').all
      const keyForm = spec === 'latest' ? await listAll(t, { prefix: 'many/' }) : await listAll(t, { prefix: `@${spec}/many/` })
      const base = spec === 'latest' ? '' : `@${spec}/`
      t.same(keyForm.names, want.map(k => base + k), `@${spec}, view in the key: every key once, in order`)
      t.ok(keyForm.pages >= 2, 'more than one page')
      const pathForm = await listAll(t, { prefix: 'many/', pathView: spec, maxKeys: 400 })
      t.same(pathForm.names, want, `@${spec}, view in the path, 400 a page`)
      const v1 = await listAll(t, { prefix: 'many/', pathView: spec, maxKeys: 333, v1: true })
      t.same(v1.names, want, `@${spec}, ListObjects V1 with markers`)
    }
  })

  const oddViews: Array<[string, Set<string>]> = [[formatInstant(t0), odd0], [formatInstant(t1), odd1], ['latest', odd1]]

  await t.test('any delimiter over odd keys, at each time', async t => {
    const cases: Array<[string, string | undefined]> = [['', '/'], ['a/', '/'], ['a//', '/'], ['a/.', '/'], ['a/b', '/'], ['x', '/'],
      ['', undefined], ['a/', undefined], ['', 'b'], ['', '+'], ['', '//'], ['', '.'], ['sp', ' '], ['', 'é'], ['deep/', '/'], ['deep/1/', '2'],
      ['q?', '&'], ['amp&<', '"'], ['ünï', '/'], ['nothing/', '/']]
    for (const [spec, state] of oddViews) {
      for (const [prefix, delimiter] of cases) {
        const want = s3List(state, prefix, delimiter)
        const base = spec === 'latest' ? '' : `@${spec}/`
        const what = `@${spec} prefix '${prefix}' delimiter '${delimiter ?? '(none)'}'`
        const got = await listAll(t, { bucket: ODD_BUCKET, prefix: base + prefix, delimiter, maxKeys: 4 })
        // The bucket's own root (no view named) also offers @latest/ (labels come later in this test).
        const offered = spec === 'latest' && delimiter === '/' && '@latest/'.startsWith(prefix) ? ['@latest/'] : []
        t.same(got.names, [...want.all.map(k => base + k), ...offered].sort(byteOrder), what)
        t.same(got.keys, want.keys.map(k => base + k), what + ': the keys')
        const inPath = await listAll(t, { bucket: ODD_BUCKET, pathView: spec, prefix, delimiter, v1: true })
        t.same(inPath.names, want.all, what + ', view in the path, V1')
      }
    }
  })

  await t.test('encoding-type=url', async t => {
    const got = await listAll(t, { bucket: ODD_BUCKET, prefix: `@${views[0][0]}/`, delimiter: '/', url: true })
    const raw = await listOnce(gw, { bucket: ODD_BUCKET, prefix: `@${views[0][0]}/`, delimiter: '/', url: true })
    t.same(got.names, s3List(odd0, '', '/').all.map(k => `@${views[0][0]}/${k}`), 'decoded names are the real keys')
    t.match(raw.xml, /<Key>%40[^<]*\/sp%20ace%2F|<Prefix>%40[^<]*\/sp%20ace\/<\/Prefix>/, 'spaces come back encoded')
    t.notMatch(raw.xml, /<(Key|Prefix)>[^<]*[ +&][^<]*<\//, 'no raw space, plus or ampersand in an encoded reply')
    t.equal(xmlField(raw.xml, 'EncodingType'), 'url')
    const flat = await listAll(t, { bucket: ODD_BUCKET, prefix: `@${views[0][0]}/`, url: true, maxKeys: 5 })
    t.same(flat.names, s3List(odd0, '').all.map(k => `@${views[0][0]}/${k}`), 'flat, paged, encoded')
  })

  await t.test('start-after and markers inside common prefixes', async t => {
    const base = `@${views[0][0]}/`
    // A prefix equal to the marker was listed already (that is how pages continue); a marker
    // inside a prefix lists it again when a key in it comes later.
    for (const after of ['a/', 'a/.', 'a/b', 'a/b/', 'deep/1', 'm', 'zzz', '']) {
      const got = await listAll(t, { bucket: ODD_BUCKET, prefix: base, delimiter: '/', startAfter: after === '' ? '' : base + after })
      const want = s3List(odd0, '', '/')
      const groupHasLater = (p: string): boolean => [...odd0].some(k => k.startsWith(p) && byteOrder(k, after) > 0)
      const expected = want.all.filter(n => byteOrder(n, after) > 0 || (want.prefixes.includes(n) && after.startsWith(n) && after !== n && groupHasLater(n)))
      t.same(got.names, expected.map(n => base + n), `start-after '${after}'`)
    }
    const v1 = await listAll(t, { prefix: base + 'many/', v1: true, maxKeys: 1000 })
    t.equal(v1.names.length, 1100, 'V1 pages through all 1,100 keys at t0')
  })

  await t.test('a bucket root offers @latest and its labels', async t => {
    const label = await env.cli(['label', 'create', 'gw-first', `s3://${ODD_BUCKET}/a@${formatInstant(t0)}`], gw.env)
    t.equal(label.code, 0, label.stderr)
    await new Promise(resolve => setTimeout(resolve, 2500)) // the daemon's label list lives for live-ttl-ms
    const root = await listAll(t, { bucket: ODD_BUCKET, delimiter: '/' })
    t.same(root.prefixes, [...s3List(odd1, '', '/').prefixes, '@gw-first/', '@latest/'].sort(byteOrder), 'the real folders, @latest and @gw-first')
    t.same(root.keys, s3List(odd1, '', '/').keys)
    t.same((await listAll(t, { bucket: ODD_BUCKET, delimiter: '/', prefix: '@' })).names, ['@gw-first/', '@latest/'], 'a prefix picks among them')
    t.same((await listAll(t, { delimiter: '/' })).prefixes, ['@latest/', 'many/'], 'another bucket offers only its own labels')
    const inLabel = [...odd0].filter(k => k.startsWith('a/')).map(k => k.slice(2))
    const byLabel = await listAll(t, { bucket: ODD_BUCKET, prefix: '@gw-first/', delimiter: '/' })
    t.same(byLabel.names, s3List(inLabel, '', '/').all.map(k => '@gw-first/' + k), 'a label lists its folder at its time, relative to its root')
    const byLabelPath = await listAll(t, { bucket: ODD_BUCKET, pathView: 'gw-first' })
    t.same(byLabelPath.names, s3List(inLabel, '').all, 'and as a path prefix')
    const inView = await listAll(t, { bucket: ODD_BUCKET, prefix: `@${views[0][0]}/`, delimiter: '/' })
    t.notOk(inView.names.some(n => n.endsWith('@latest/')), 'a view\'s own root offers no views')
  })

  await t.test('bad listing parameters', async t => {
    const bad = async (query: Record<string, string>, code: string): Promise<void> => {
      const res = await rawS3(gw.url, gw.creds, { path: `/${BUCKET}`, query })
      t.equal(xmlField(res.body, 'Code'), code, JSON.stringify(query))
      t.equal(xmlField(res.body, 'RequestId'), res.headers['x-amz-request-id'], 'the error names its request')
    }
    await bad({ 'list-type': '2', 'max-keys': '-1' }, 'InvalidArgument')
    await bad({ 'list-type': '2', 'max-keys': 'x' }, 'InvalidArgument')
    await bad({ 'list-type': '2', 'encoding-type': 'base64' }, 'InvalidArgument')
    await bad({ 'list-type': '2', 'continuation-token': '%%%' }, 'InvalidArgument')
    await bad({ 'list-type': '3' }, 'InvalidArgument')
    await bad({ 'list-type': '2', prefix: '@not-a-label/' }, 'NoSuchKey')
    await bad({ 'list-type': '2', prefix: '@2999-01-01/' }, 'InvalidArgument')
    await bad({ 'list-type': '2', prefix: '@2022-13-45/' }, 'InvalidArgument')
    await bad({ versions: '' }, 'NotImplemented')
    const none = await rawS3(gw.url, gw.creds, { path: '/no-such-bucket', query: { 'list-type': '2' } })
    t.equal(none.status, 404)
    t.equal(xmlField(none.body, 'Code'), 'NoSuchBucket')
    const zero = await listOnce(gw, { prefix: 'many/', maxKeys: 0 })
    t.same([zero.names, zero.truncated], [[], false], 'max-keys=0 lists nothing')
    const owner = await rawS3(gw.url, gw.creds, { path: `/${ODD_BUCKET}`, query: { 'list-type': '2', prefix: 'top', 'fetch-owner': 'true' } })
    t.match(owner.body.toString(), /<Contents><Key>top.txt<\/Key>.*<Owner><ID>/, 'fetch-owner adds owners')
  })
})
