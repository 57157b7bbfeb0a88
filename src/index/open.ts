import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { IndexReads } from './reads.js'
import { prepareSchema } from './schema.js'
import { redact, type Dialect, type Sql } from './sql.js'
import type { HistoryIndex } from './types.js'
import { IndexWrites } from './writes.js'

/** Where the index lives when the `index` setting is unset: the user's state directory. */
export function defaultIndexFile (env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== ''
    ? env.XDG_STATE_HOME
    : join(homedir(), '.local', 'state')
  return join(base, 'infinstor', 'index.sqlite')
}

/** Where the `index` setting points, for people (a PostgreSQL password is never shown). */
export function describeIndex (setting: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (setting === undefined || setting === '') return defaultIndexFile(env)
  return isPostgresUrl(setting) ? redact(setting) : resolve(setting)
}

export function isPostgresUrl (setting: string): boolean {
  return /^postgres(ql)?:\/\//i.test(setting)
}

/** The history index: its read queries, its writes, and the store under them. */
export class IndexStore extends IndexReads implements HistoryIndex {
  readonly engine: Dialect
  readonly location: string
  readonly writes: IndexWrites

  constructor (sql: Sql) {
    super(sql)
    this.engine = sql.dialect
    this.location = sql.location
    this.writes = new IndexWrites(sql)
  }

  async close (): Promise<void> { await this.sql.close() }
}

/**
 * Opens the index the `index` setting names: unset for SQLite in its default
 * place, a file path for that SQLite file, postgres://… for PostgreSQL.
 * With `create` false, a store that does not exist yet is not made, and the
 * answer is undefined (no index: everything reads live). A damaged or
 * foreign store is Corrupt.
 */
export async function openIndex (setting: string | undefined, opts: { create: boolean, env?: NodeJS.ProcessEnv }): Promise<IndexStore | undefined> {
  const target = setting === undefined || setting === '' ? defaultIndexFile(opts.env) : setting
  const postgres = isPostgresUrl(target)
  if (!postgres && !opts.create && !existsSync(resolve(target))) return undefined
  // Each engine's client loads only when used: a CLI command that needs no index pays for neither.
  const sql: Sql = postgres
    ? new (await import('./postgres.js')).PostgresSql(target)
    : new (await import('./sqlite.js')).SqliteSql(resolve(target))
  try {
    if (!await prepareSchema(sql, opts.create)) {
      await sql.close()
      return undefined
    }
  } catch (e) {
    await sql.close()
    throw e
  }
  return new IndexStore(sql)
}
