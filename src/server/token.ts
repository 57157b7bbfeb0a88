import { randomBytes, timingSafeEqual } from 'node:crypto'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { configDir } from '../config/settings.js'

export function tokenFile (env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'token')
}

/**
 * The server token: the one given, else the one in the 0600 token file,
 * else a new random one written there (so clients on this host can find it).
 */
export async function loadToken (given: string | undefined, path = tokenFile()): Promise<string> {
  if (given !== undefined && given !== '') return given
  try {
    const text = (await readFile(path, 'utf8')).trim()
    if (text !== '') {
      await chmod(path, 0o600)
      return text
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
  const token = randomBytes(24).toString('hex')
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  await writeFile(path, token + '\n', { mode: 0o600 })
  return token
}

export function sameToken (a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
