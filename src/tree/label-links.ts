import { segmentName } from '../core/names.js'
import { formatSpec, type TimeSpec } from '../core/timespec.js'

/** A label as the mount shows it (the label store's records fit this shape). */
export interface LabelInfo {
  name: string
  bucket: string
  /** '' or a prefix ending in '/'. */
  prefix: string
  spec: TimeSpec
}

/**
 * The hook through which the label store feeds the tree: `/BUCKET/` lists
 * each label as `@NAME`, and `/@labels/NAME` links to what it means.
 * Resolving `@NAME` itself goes through the engine's `labels` hook.
 */
export interface LabelIndex {
  list: (bucket?: string) => Promise<LabelInfo[]>
}

/** `/@labels/NAME` -> `../BUCKET/@SPEC/path`: relative, so it works wherever the mount is. */
export function labelLinkTarget (label: LabelInfo): string {
  const segs = label.prefix === '' ? [] : label.prefix.slice(0, -1).split('/').map(segmentName)
  return ['..', label.bucket, '@' + formatSpec(label.spec), ...segs].join('/')
}
