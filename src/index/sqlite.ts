import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { InfinError } from '../core/errors.js'
import { Mutex, type Param, type Sql, type Statements } from './sql.js'

type Db = Database.Database
type Stmt = Database.Statement<unknown[], unknown>

/** How long a statement waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 10_000

/**
 * SQLite through better-sqlite3, in WAL mode: one writer and any number of
 * readers, in this process or others, at once. better-sqlite3 is
 * synchronous, so callers keep statements short (pages with LIMIT); a
 * process serving a FUSE mount must never stall on one.
 *
 * Two connections: reads go to one, transactions to the other, so a reader
 * in this process never sees a transaction that is still being written.
 */
export class SqliteSql implements Sql {
  readonly dialect = 'sqlite'
  readonly location: string
  private readonly reader: Db
  private readonly writer: Db
  private readonly writeLock = new Mutex()
  private readonly cache = new Map<Db, Map<string, Stmt>>()

  constructor (file: string) {
    this.location = file
    mkdirSync(dirname(file), { recursive: true })
    this.writer = guard(file, () => new Database(file, { timeout: BUSY_TIMEOUT_MS }))
    guard(file, () => {
      // WAL is a property of the file: set once, every later connection uses it.
      this.writer.pragma('journal_mode = WAL')
      // Safe with WAL against a killed process; only power loss may drop the last commits.
      this.writer.pragma('synchronous = NORMAL')
    })
    this.reader = guard(file, () => new Database(file, { timeout: BUSY_TIMEOUT_MS }))
    this.reads = this.statements(this.reader)
  }

  private prepare (db: Db, sql: string): Stmt {
    let stmts = this.cache.get(db)
    if (stmts === undefined) this.cache.set(db, stmts = new Map())
    let stmt = stmts.get(sql)
    if (stmt === undefined) {
      // The statements are few (some vary by bounds or spec); a bound keeps a bug from leaking.
      if (stmts.size > 500) stmts.clear()
      stmt = db.prepare(sql)
      stmts.set(sql, stmt)
    }
    return stmt
  }

  private statements (db: Db): Statements {
    return {
      all: async <T>(sql: string, params: readonly Param[] = []) =>
        guard(this.location, () => this.prepare(db, sql).all(...params) as T[]),
      get: async <T>(sql: string, params: readonly Param[] = []) =>
        guard(this.location, () => this.prepare(db, sql).get(...params) as T | undefined),
      run: async (sql: string, params: readonly Param[] = []) =>
        guard(this.location, () => this.prepare(db, sql).run(...params).changes),
      insertMany: async (table, columns, rows) => {
        if (rows.length === 0) return
        const stmt = this.prepare(db, `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
        guard(this.location, () => { for (const r of rows) stmt.run(...r) })
      }
    }
  }

  private readonly reads: Statements
  all: Statements['all'] = async (sql, params) => await this.reads.all(sql, params)
  get: Statements['get'] = async (sql, params) => await this.reads.get(sql, params)
  run: Statements['run'] = async (sql, params) => await this.transaction(async tx => await tx.run(sql, params))
  insertMany: Statements['insertMany'] = async (table, columns, rows) =>
    await this.transaction(async tx => { await tx.insertMany(table, columns, rows) })

  async transaction<T> (fn: (tx: Statements) => Promise<T>): Promise<T> {
    return await this.writeLock.run(async () => {
      // IMMEDIATE takes the write lock now, so the transaction cannot fail half way on a busy file.
      guard(this.location, () => this.writer.exec('BEGIN IMMEDIATE'))
      try {
        const out = await fn(this.statements(this.writer))
        guard(this.location, () => this.writer.exec('COMMIT'))
        return out
      } catch (e) {
        if (this.writer.inTransaction) this.writer.exec('ROLLBACK')
        throw e
      }
    })
  }

  async close (): Promise<void> {
    await this.writeLock.run(async () => {
      this.reader.close()
      this.writer.close()
    })
  }
}

/** Runs a better-sqlite3 call, turning its failures into domain errors that name the file. */
function guard<T> (file: string, fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    throw sqliteError(e, file)
  }
}

export function sqliteError (e: unknown, file: string): unknown {
  if (e instanceof InfinError) return e
  const code = (e as { code?: string }).code ?? ''
  const msg = (e as Error).message
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new InfinError('Corrupt', `the history index ${file} is damaged or not an SQLite database (${msg}); ` +
      'move it aside and run \'infinstor index BUCKET\' to rebuild it', { cause: e })
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new InfinError('Unavailable', `the history index ${file} stayed locked by another process for ${BUSY_TIMEOUT_MS / 1000} s`, { cause: e })
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM') ||
      code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL') {
    return new InfinError('Unavailable', `cannot use the history index ${file}: ${msg}`, { cause: e })
  }
  return e
}
