/**
 * The tree's path layout, as file-name segments from its root:
 *
 *   []                        the buckets
 *   ['@labels', NAME]         a link per label (when labels are wired in)
 *   [BUCKET]                  @latest, and the bucket's labels as @NAME
 *   [BUCKET, '@SPEC', ...]    the bucket as of SPEC: any time, slice, latest or label
 *
 * The mount hands over absolute paths ('/' for the root, no empty or
 * '.'/'..' segments): `segments` splits them. Other surfaces pass segments.
 */
export const LABELS_DIR = '@labels'

export type TreePath =
  | { kind: 'root' }
  | { kind: 'labels' }
  | { kind: 'label', name: string }
  | { kind: 'bucket', bucket: string }
  /** `names` are file names below the view's root, [] for the root itself. */
  | { kind: 'view', bucket: string, spec: string, names: string[] }
  | { kind: 'none' }

/** A mount path ('/a/b') as segments (['a', 'b']). */
export function segments (path: string): string[] {
  return path === '/' || path === '' ? [] : path.split('/').slice(1)
}

export function parseTreePath (path: readonly string[]): TreePath {
  if (path.length === 0) return { kind: 'root' }
  const [top, second, ...rest] = path
  if (top === LABELS_DIR) {
    if (second === undefined) return { kind: 'labels' }
    return rest.length === 0 ? { kind: 'label', name: second } : { kind: 'none' }
  }
  if (second === undefined) return { kind: 'bucket', bucket: top }
  if (!second.startsWith('@') || second.length === 1) return { kind: 'none' }
  return { kind: 'view', bucket: top, spec: second.slice(1), names: rest }
}
