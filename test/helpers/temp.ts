import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

interface Teardown { teardown: (fn: () => unknown) => void }

/**
 * A fresh folder under the system's temporary folder, removed at teardown:
 * tests run many times on shared machines, and their homes, tokens and
 * configs must not pile up in /tmp. tap runs teardowns last-added first,
 * so a server started after this is stopped before its folder goes.
 */
export function tempDir (t: Teardown, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `infinstor-${prefix}-`))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}
