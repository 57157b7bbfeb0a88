// Both index engines, for running one suite against each: SQLite in a temp
// file, PostgreSQL in a throwaway cluster started for the test file.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openIndex, type IndexStore } from '../../src/index/open.js'
import type { Page, PageOptions } from '../../src/index/types.js'
import { startPostgres } from './postgres.js'

export interface IndexEngine {
  name: 'sqlite' | 'postgres'
  /** A new, empty index: its `index` setting, and the store opened on it (closed at teardown). */
  fresh: () => Promise<{ setting: string, store: IndexStore }>
}

interface Teardown { teardown: (fn: () => unknown) => void }

export async function indexEngines (t: Teardown): Promise<IndexEngine[]> {
  const dir = mkdtempSync(join(tmpdir(), 'infinstor-index-'))
  const pg = await startPostgres(t)
  const stores: IndexStore[] = []
  t.teardown(async () => {
    for (const s of stores) await s.close().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  })
  let n = 0
  const open = async (setting: string): Promise<{ setting: string, store: IndexStore }> => {
    const store = await openIndex(setting, { create: true }) as IndexStore
    stores.push(store)
    return { setting, store }
  }
  return [
    { name: 'sqlite', fresh: async () => await open(join(dir, `index-${++n}.sqlite`)) },
    { name: 'postgres', fresh: async () => await open(await pg.database(`index_${++n}`)) }
  ]
}

/** Every item of a paged answer, fetched `limit` at a time. */
export async function allPages<T> (fetch: (page: PageOptions) => Promise<Page<T>>, limit: number): Promise<T[]> {
  const out: T[] = []
  let after: string | undefined
  for (let rounds = 0; rounds < 100_000; rounds++) {
    const page = await fetch({ after, limit })
    out.push(...page.items)
    if (page.next === undefined) return out
    after = page.next
  }
  throw new Error('paging did not end')
}
