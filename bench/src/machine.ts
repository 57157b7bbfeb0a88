import { readFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem } from 'node:os'
import { run } from './proc.js'
import type { Machine } from './types.js'

function osName (): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

export async function machine (loadAtStart: number): Promise<Machine> {
  const py = await run('python3', ['--version'], { timeoutMs: 10_000 }).catch(() => undefined)
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    kernel: release(),
    os: osName(),
    node: process.version,
    python: py?.stdout.trim() ?? 'python3 unknown',
    load: { start: loadAtStart, end: loadavg()[0] }
  }
}
