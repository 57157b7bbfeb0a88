import { dirPrefix } from '../core/s3url.js'
import { formatInstant } from '../core/timespec.js'
import type { Version } from '../core/versions.js'
import { InfinError } from '../core/errors.js'
import type { Command } from './commands.js'
import { keyIn, needArgs, notFoundAt, openTarget, printJson, sayHistoryNote } from './context.js'
import { showName } from './format.js'

interface Row { name: string, type: 'file' | 'dir', version?: Version }

function line (row: Row, long: boolean): string {
  const name = showName(row.name) + (row.type === 'dir' ? '/' : '')
  if (!long) return name
  const v = row.version
  if (v === undefined) return `${'-'.padStart(12)}  ${'-'.padEnd(20)}  ${'-'.padEnd(36)}  ${name}`
  return `${String(v.size).padStart(12)}  ${formatInstant(v.lastModified).padEnd(20)}  ${v.versionId.padEnd(36)}  ${name}`
}

function json (row: Row): Record<string, unknown> {
  const v = row.version
  return v === undefined
    ? { name: row.name, type: row.type }
    : { name: row.name, type: row.type, key: v.key, size: v.size, lastModified: formatInstant(v.lastModified), versionId: v.versionId, etag: v.etag }
}

export const ls: Command = {
  summary: 'list a directory (or a slice) as it was at a time',
  usage: '[-l] [-R] [--json] s3://bucket/prefix@spec',
  options: {
    long: { type: 'boolean', short: 'l' },
    recursive: { type: 'boolean', short: 'R' },
    json: { type: 'boolean' }
  },
  async run (ctx) {
    needArgs(ctx, 1, 'one s3://bucket/prefix@spec')
    const { engine, target, view } = await openTarget(ctx, ctx.args[0])
    const key = keyIn(view, target.key)
    const prefix = dirPrefix(key)
    let rows: Row[]
    if (ctx.flags.recursive === true) {
      rows = (await engine.walk(view, prefix)).filter(f => f.seg !== '' && !f.seg.endsWith('/'))
        .map(f => ({ name: f.seg, type: 'file' as const, version: f.version }))
    } else {
      const dir = await engine.readDir(view, prefix)
      rows = [
        ...dir.dirs.map(d => ({ name: d.seg, type: 'dir' as const })),
        ...dir.files.map(f => ({ name: f.seg, type: 'file' as const, version: f.version }))
      ].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
      if (!dir.exists) {
        // Like ls, a file argument lists just that file.
        const missing = async (): Promise<InfinError> => await notFoundAt(engine, view, `s3://${target.bucket}/${key} does not exist at ${view.name}`)
        if (key === prefix) throw await missing()
        const v = await engine.stat(view, key).catch(async () => { throw await missing() })
        rows = [{ name: key.slice(key.lastIndexOf('/') + 1), type: 'file', version: v }]
      }
    }
    await sayHistoryNote(engine, view)
    if (ctx.flags.json === true) printJson(rows.map(json))
    else if (rows.length > 0) process.stdout.write(rows.map(r => line(r, ctx.flags.long === true)).join('\n') + '\n')
    return 0
  }
}
