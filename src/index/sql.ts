/**
 * The one small query layer under the history index. Statements are written
 * once, with `?` placeholders and SQL that SQLite and PostgreSQL both
 * accept; each adapter (sqlite.ts, postgres.ts) speaks its own dialect
 * underneath. No ORM: the queries are few and their plans matter.
 */
export type Param = string | number | null
export type Row = Record<string, unknown>
export type Dialect = 'sqlite' | 'postgres'

export interface Statements {
  all: <T = Row>(sql: string, params?: readonly Param[]) => Promise<T[]>
  get: <T = Row>(sql: string, params?: readonly Param[]) => Promise<T | undefined>
  /** Runs a statement that returns no rows; resolves to the rows it changed. */
  run: (sql: string, params?: readonly Param[]) => Promise<number>
  /** Inserts many rows at once (a prepared loop in SQLite, multi-row VALUES in PostgreSQL). */
  insertMany: (table: string, columns: readonly string[], rows: ReadonlyArray<readonly Param[]>) => Promise<void>
}

export interface Sql extends Statements {
  readonly dialect: Dialect
  /** Where the index lives, for people: a file path, or a URL without its password. */
  readonly location: string
  /**
   * Runs `fn` as one transaction. Readers, in this process or others, see
   * all of its writes or none. Keep it short: no S3 request inside.
   */
  transaction: <T>(fn: (tx: Statements) => Promise<T>) => Promise<T>
  close: () => Promise<void>
}

/** `?` placeholders become PostgreSQL's `$1, $2, …` (no statement here has a `?` in a literal). */
export function numberedPlaceholders (sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

/** An async mutex: one writer transaction at a time within this process. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve()

  async run<T> (fn: () => Promise<T>): Promise<T> {
    const before = this.tail
    let release!: () => void
    this.tail = new Promise(resolve => { release = resolve })
    await before
    try {
      return await fn()
    } finally {
      release()
    }
  }
}

/** The URL without its password, for messages and status. */
export function redact (url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return 'postgres://(unparsable URL)'
  }
}
