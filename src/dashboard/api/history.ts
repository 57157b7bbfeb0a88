import { InfinError } from '../../core/errors.js'
import { dirPrefix } from '../../core/s3url.js'
import { formatInstant, parseInstant } from '../../core/timespec.js'
import type { ChangeRow, DiffReply, TimelineBin, TimelineReply } from '../../core/api-types.js'
import { versionJson, type Change } from '../../core/versions.js'
import type { Request, Router } from '../../server/http.js'
import type { DashboardDeps } from './deps.js'
import { bucketParam, intParam, pageOf, pageParams, query, relPath, required, viewJson } from './params.js'
import type { Snapshots } from './snapshots.js'

const BUCKET = String.raw`\/api\/infinstor\/buckets\/([^/]+)`
const KINDS = ['added', 'modified', 'deleted'] as const
/** S3 stamps writes in whole seconds: finer bins would only show rounding. */
const SECOND = 1000

function kindsParam (req: Request): Set<string> {
  const text = query(req, 'change')
  if (text === undefined) return new Set(KINDS)
  const kinds = text.split(',')
  const bad = kinds.filter(k => !(KINDS as readonly string[]).includes(k))
  if (bad.length > 0) throw new InfinError('Usage', `'change' takes ${KINDS.join(', ')}; not ${bad.join(', ')}`)
  return new Set(kinds)
}

function instantParam (req: Request, name: string): number | undefined {
  const text = query(req, name)
  return text === undefined ? undefined : parseInstant(text)
}

/**
 * Counts writes and delete markers into `n` equal bins covering [from, to]:
 * bins are whole seconds wide and start on a second.
 */
export function binEvents (events: Iterable<{ t: number, deleted: boolean }>, from: number, to: number, n: number): { binMs: number, bins: TimelineBin[] } {
  const start = Math.floor(from / SECOND) * SECOND
  const binMs = Math.max(SECOND, Math.ceil((to - start + 1) / n / SECOND) * SECOND)
  const count = Math.max(1, Math.ceil((to - start + 1) / binMs))
  const bins = Array.from({ length: count }, (_, i) => ({ t: formatInstant(start + i * binMs), writes: 0, deletes: 0 }))
  for (const e of events) {
    if (e.t < start || e.t > to) continue
    const bin = bins[Math.min(count - 1, Math.floor((e.t - start) / binMs))]
    if (e.deleted) bin.deletes++
    else bin.writes++
  }
  return { binMs, bins }
}

/** What changed between two views, and when things changed. */
export function historyRoutes (router: Router, { engine }: DashboardDeps, snapshots: Snapshots): void {
  router.get(new RegExp(`^${BUCKET}/diff$`), async req => {
    const kinds = kindsParam(req)
    const { snapshot, meta, items } = await snapshots.get(req, async () => {
      const bucket = bucketParam(req)
      const [a, b] = await Promise.all([engine.view(bucket, required(req, 'a')), engine.view(bucket, required(req, 'b'))])
      if (a.root !== '' && b.root !== '' && a.root !== b.root) {
        throw new InfinError('Usage', `labels '${a.name}' and '${b.name}' cover different paths ('${a.root}' and '${b.root}'); compare each with a time instead`)
      }
      const root = a.root !== '' ? a.root : b.root
      const changes = await engine.diff(a, b, root + dirPrefix(relPath(req)))
      const counts = { added: 0, modified: 0, deleted: 0 }
      for (const c of changes) counts[c.kind]++
      return { meta: { a: viewJson(a), b: viewJson(b), root, counts }, items: changes.filter(c => kinds.has(c.kind)) }
    })
    const page = pageParams(req)
    const json: DiffReply = {
      ...meta,
      snapshot,
      total: items.length,
      offset: page.offset,
      changes: pageOf(items, page).map(c => changeJson(c, meta.root))
    }
    return { json }
  })

  // One key's versions and delete markers, newest first, as `infinstor log` shows them.
  router.get(new RegExp(`^${BUCKET}/log$`), async req => {
    const bucket = bucketParam(req)
    const key = required(req, 'key')
    await engine.versioningOf(bucket)
    const { versions, isDir } = await engine.history(bucket, key)
    if (versions.length === 0) throw new InfinError('NotFound', `${bucket}/${key} has no history${isDir ? ' (it is a folder)' : ''}`)
    return { json: { key, versions: versions.map(v => ({ ...versionJson(v), deleted: v.deleteMarker })) } }
  })

  router.get(new RegExp(`^${BUCKET}/timeline$`), async req => {
    const bucket = bucketParam(req)
    const prefix = dirPrefix(relPath(req))
    const n = intParam(req, 'bins', 120, 1, 2000)
    const histories = await engine.histories(bucket, prefix)
    const events: Array<{ t: number, deleted: boolean }> = []
    let first = Infinity
    let last = -Infinity
    for (const history of histories.values()) {
      for (const v of history) {
        events.push({ t: v.lastModified, deleted: v.deleteMarker })
        first = Math.min(first, v.lastModified)
        last = Math.max(last, v.lastModified)
      }
    }
    const now = await engine.serverNow(bucket)
    const fitted = fitActivity(first, last, now)
    const to = instantParam(req, 'to') ?? fitted.to
    const from = instantParam(req, 'from') ?? Math.min(fitted.from, to)
    if (from > to) throw new InfinError('Usage', `'from' (${formatInstant(from)}) is after 'to' (${formatInstant(to)})`)
    const { binMs, bins } = binEvents(events, from, to, n)
    const total = { writes: 0, deletes: 0 }
    for (const bin of bins) { total.writes += bin.writes; total.deletes += bin.deletes }
    const json: TimelineReply = {
      path: prefix,
      from: bins[0].t,
      to: formatInstant(to),
      first: first === Infinity ? null : formatInstant(first),
      last: last === -Infinity ? null : formatInstant(last),
      now: formatInstant(now),
      binMs,
      total,
      bins
    }
    return { json }
  })
}

/**
 * The default window: the activity itself, padded by a twentieth of its
 * span (at least a second) on each side and never past now, so that a
 * short history spreads over the chart instead of one bar beside a long
 * quiet stretch up to now. No activity: just now.
 */
export function fitActivity (first: number, last: number, now: number): { from: number, to: number } {
  if (first === Infinity) return { from: now, to: now }
  const pad = Math.max(SECOND, Math.round((last - first) / 20 / SECOND) * SECOND)
  return { from: first - pad, to: Math.min(now, last + pad) }
}

function changeJson (c: Change, root: string): ChangeRow {
  const out: ChangeRow = { key: c.key.slice(root.length), change: c.kind }
  if (c.before !== undefined) out.before = versionJson(c.before)
  if (c.after !== undefined) out.after = versionJson(c.after)
  return out
}
