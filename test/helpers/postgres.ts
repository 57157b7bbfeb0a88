import { execFile } from 'node:child_process'
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '../../src/demo/moto.js'

const run = promisify(execFile)

export interface Postgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string
  /** A fresh, empty database in the cluster, for one test's index. */
  database: (name: string) => Promise<string>
  stop: () => Promise<void>
}

function binDir (): string {
  const root = '/usr/lib/postgresql'
  const versions = readdirSync(root).filter(v => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
  if (versions.length === 0) throw new Error('PostgreSQL is not installed (run scripts/setup.sh)')
  return join(root, versions[0], 'bin')
}

/** Runs a PostgreSQL tool as the postgres user: initdb refuses to run as root. */
async function asPostgres (tool: string, args: string[]): Promise<void> {
  const cmd = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', join(binDir(), tool), ...args]] as const : [join(binDir(), tool), args] as const
  await run(cmd[0], [...cmd[1]], { timeout: 60_000 })
}

/**
 * A throwaway PostgreSQL cluster in a temp dir, on a free loopback port,
 * trusting local connections; stopped and removed at teardown. Without
 * `durable`, fsync is off (tests lose nothing they need).
 */
export async function startPostgres (t: { teardown: (fn: () => unknown) => void }, opts: { durable?: boolean } = {}): Promise<Postgres> {
  const dir = mkdtempSync(join(tmpdir(), 'infinstor-pg-'))
  if (process.getuid?.() === 0) chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout), Number((await run('id', ['-g', 'postgres'])).stdout))
  const data = join(dir, 'data')
  const port = await freePort()
  await asPostgres('initdb', ['-N', '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '-D', data])
  // Tests need no durability; a benchmark keeps PostgreSQL's defaults.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c shared_buffers=256MB${opts.durable === true ? '' : ' -c fsync=off'}`
  await asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start'])
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
  t.teardown(stop)
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  return {
    url,
    stop,
    database: async name => {
      const pg = (await import('pg')).default
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        await client.query(`CREATE DATABASE "${name}"`)
      } finally {
        await client.end()
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`
    }
  }
}
