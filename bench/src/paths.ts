import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The repository root, found upwards from this file: the bench runs both
 * compiled (from bench/.work/dist) and as TypeScript source (in tests).
 */
function findRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'infinstor') return dir
    const up = dirname(dir)
    if (up === dir) throw new Error('cannot find the infinstor repository root')
    dir = up
  }
}

export const ROOT = findRoot()
export const BIN = join(ROOT, 'bin', 'infinstor')
export const PROBE = join(ROOT, 'bench', 'probe.py')
export const GATEWAY_PROBE = join(ROOT, 'bench', 'gateway_probe.py')
export const MOTO_PATCH = join(ROOT, 'bench', 'moto-patch')
export const WORK = join(ROOT, 'bench', '.work')
export const RESULTS = join(ROOT, 'bench', 'results')
