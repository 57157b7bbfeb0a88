import { randomBytes } from 'node:crypto'
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { configDir } from '../config/settings.js'
import { InfinError } from '../core/errors.js'
import { FileLock } from '../labels/lock.js'

/** An access key the gateway accepts: issued by InfinStor, never an AWS secret. */
export interface AccessKey {
  accessKeyId: string
  secretAccessKey: string
  name?: string
  createdAt: number
}

export function keysFile (env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 's3-keys.json')
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/

/** AWS-shaped: 20 upper-case characters (here 'IS' + 18 random ones) and a 40-character secret. */
function newKey (name: string | undefined): AccessKey {
  const id = 'IS' + [...randomBytes(18)].map(b => ID_CHARS[b % 32]).join('')
  return { accessKeyId: id, secretAccessKey: randomBytes(30).toString('base64'), ...(name === undefined ? {} : { name }), createdAt: Date.now() }
}

function parse (text: string, path: string): AccessKey[] {
  try {
    const value = JSON.parse(text) as { keys?: unknown }
    if (!Array.isArray(value.keys)) throw new Error('no "keys" list')
    for (const k of value.keys as AccessKey[]) {
      if (typeof k.accessKeyId !== 'string' || typeof k.secretAccessKey !== 'string') throw new Error('a key without accessKeyId or secretAccessKey')
    }
    return value.keys as AccessKey[]
  } catch (e) {
    throw new InfinError('Corrupt', `the S3 gateway's key file ${path} is not valid: ${(e as Error).message}`)
  }
}

/**
 * The gateway's access keys, in one 0600 JSON file in the config directory.
 * Writers take a lock and replace the file whole by rename; the daemon
 * re-reads it whenever it changed, so new keys work and removed keys stop
 * working without a restart.
 */
export class KeyStore {
  readonly path: string
  private readonly lock: FileLock
  private loaded: { stamp: string, keys: Map<string, AccessKey> } | undefined

  constructor (path = keysFile()) {
    this.path = path
    this.lock = new FileLock(path + '.lock')
  }

  private async read (): Promise<AccessKey[]> {
    try {
      return parse(await readFile(this.path, 'utf8'), this.path)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw e
    }
  }

  private async change<T> (edit: (keys: AccessKey[]) => T): Promise<T> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 })
    return await this.lock.with(async assertHeld => {
      const keys = await this.read()
      const result = edit(keys)
      const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`
      const file = await open(temp, 'wx', 0o600)
      try {
        await file.writeFile(JSON.stringify({ keys }, null, 2) + '\n')
        await file.sync()
      } finally {
        await file.close()
      }
      try {
        await assertHeld()
        await rename(temp, this.path)
        await chmod(this.path, 0o600)
      } catch (e) {
        await unlink(temp).catch(() => {})
        throw e
      }
      return result
    })
  }

  async create (name?: string): Promise<AccessKey> {
    if (name !== undefined && !NAME.test(name)) {
      throw new InfinError('Usage', `a key name has 1 to 128 characters from A-Z a-z 0-9 . _ @ -, starting with a letter or digit; not '${name}'`)
    }
    return await this.change(keys => {
      if (name !== undefined && keys.some(k => k.name === name)) throw new InfinError('Conflict', `a key named '${name}' exists; remove it first or choose another name`)
      const key = newKey(name)
      keys.push(key)
      return key
    })
  }

  async list (): Promise<AccessKey[]> {
    return await this.read()
  }

  /** Removes the key with this id or name. */
  async remove (idOrName: string): Promise<AccessKey> {
    return await this.change(keys => {
      const i = keys.findIndex(k => k.accessKeyId === idOrName || k.name === idOrName)
      if (i < 0) throw new InfinError('NotFound', `no S3 gateway key with id or name '${idOrName}' (see infinstor keys ls)`)
      return keys.splice(i, 1)[0]
    })
  }

  /** The secret of a key, from the file as it is now (re-read whenever it changed). */
  async secretOf (accessKeyId: string): Promise<string | undefined> {
    let stamp = 'absent'
    try {
      const s = await stat(this.path)
      stamp = `${s.ino}:${s.mtimeMs}:${s.size}`
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
    if (this.loaded?.stamp !== stamp) {
      const keys = await this.read()
      this.loaded = { stamp, keys: new Map(keys.map(k => [k.accessKeyId, k])) }
    }
    return this.loaded.keys.get(accessKeyId)?.secretAccessKey
  }
}
