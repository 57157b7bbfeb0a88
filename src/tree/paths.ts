/**
 * The mount's path layout:
 *
 *   /                         the buckets
 *   /@labels/NAME             a symlink per label (when a label index is wired in)
 *   /BUCKET/                  @latest, and the bucket's labels as @NAME
 *   /BUCKET/@SPEC/...         the bucket as of SPEC: any time, slice, latest or label
 *
 * FUSE hands over absolute, normalised paths ('/' alone for the root, no
 * empty or '.'/'..' components), so a plain split is enough.
 */
export const LABELS_DIR = '@labels'

export type FsPath =
  | { kind: 'root' }
  | { kind: 'labels' }
  | { kind: 'label', name: string }
  | { kind: 'bucket', bucket: string }
  /** `names` are file names below the view's root, [] for the root itself. */
  | { kind: 'view', bucket: string, spec: string, names: string[] }
  | { kind: 'none' }

export function parseFsPath (path: string): FsPath {
  if (path === '/' || path === '') return { kind: 'root' }
  const parts = path.split('/').slice(1)
  const [top, second, ...rest] = parts
  if (top === LABELS_DIR) {
    if (second === undefined) return { kind: 'labels' }
    return rest.length === 0 ? { kind: 'label', name: second } : { kind: 'none' }
  }
  if (second === undefined) return { kind: 'bucket', bucket: top }
  if (!second.startsWith('@') || second.length === 1) return { kind: 'none' }
  return { kind: 'view', bucket: top, spec: second.slice(1), names: rest }
}
