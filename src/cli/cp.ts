import { mkdir, open, readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import pLimit from 'p-limit'
import { InfinError } from '../core/errors.js'
import { dirPrefix } from '../core/s3url.js'
import { placeKeys } from '../core/placement.js'
import type { Version } from '../core/versions.js'
import type { Engine } from '../engine/engine.js'
import type { Command } from './commands.js'
import { keyIn, needArgs, notFoundAt, openTarget } from './context.js'
import { count, humanBytes } from './format.js'

async function isEmptyOrMissing (dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true
    throw new InfinError('Usage', `cannot use ${dir} as the destination: ${(e as Error).message}`)
  }
}

/** Writes one version to `path` via a temporary name, so no half file is left. */
async function download (engine: Engine, bucket: string, v: Version, path: string, onBytes: (n: number) => void): Promise<void> {
  const part = `${path}.infinstor-part`
  const file = await open(part, 'w')
  try {
    for await (const chunk of engine.readChunks(bucket, v)) {
      await file.write(chunk)
      onBytes(chunk.length)
    }
  } catch (e) {
    await file.close()
    await rm(part, { force: true })
    throw e
  }
  await file.close()
  await rename(part, path)
}

export const cp: Command = {
  summary: 'restore a view (a snapshot, slice or label) into a local folder',
  usage: '[--force] s3://bucket/prefix@spec DIR',
  options: { force: { type: 'boolean' } },
  async run (ctx) {
    needArgs(ctx, 2, 's3://bucket/prefix@spec DIR')
    const dest = ctx.args[1]
    if (ctx.flags.force !== true && !(await isEmptyOrMissing(dest))) {
      throw new InfinError('Usage', `${dest} is not empty; choose an empty folder or pass --force to overwrite files in it`)
    }
    const { engine, target, view } = await openTarget(ctx, ctx.args[0])
    const prefix = dirPrefix(keyIn(view, target.key))
    const entries = await engine.walk(view, prefix)
    if (entries.length === 0 && !(await engine.dirExists(view, prefix))) {
      throw await notFoundAt(engine, view, `s3://${view.bucket}/${prefix} holds nothing at ${view.name}`)
    }
    const plan = placeKeys(entries.map(e => ({ rel: e.seg, version: e.version })))
    for (const s of plan.shadowed) {
      process.stderr.write(`infinstor: skipped ${prefix}${s.rel}: a directory of the same name wins\n`)
    }
    await mkdir(dest, { recursive: true })
    for (const d of plan.dirs) await mkdir(join(dest, ...d), { recursive: true })
    const total = plan.files.reduce((n, f) => n + f.item.version.size, 0)
    let files = 0
    let bytes = 0
    const tty = process.stderr.isTTY
    const progress = (): void => {
      if (tty) process.stderr.write(`\r${files}/${plan.files.length} files, ${humanBytes(bytes)} of ${humanBytes(total)}`)
    }
    const limit = pLimit(8)
    await Promise.all(plan.files.map(async f => await limit(async () => {
      await download(engine, view.bucket, f.item.version, join(dest, ...f.path), n => { bytes += n; progress() })
      files++
      progress()
    })))
    if (tty) process.stderr.write('\n')
    process.stderr.write(`restored ${count(files, 'file')} (${humanBytes(bytes)}) from s3://${view.bucket}/${prefix}@${view.name} into ${dest}\n`)
    return 0
  }
}
