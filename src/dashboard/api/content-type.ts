import { guessMimetype } from '../../server/mime.js'

/** The Content-Type of a bucket file served for download or preview: text in UTF-8. */
export function contentType (name: string): string {
  const type = guessMimetype(name)
  if (type === undefined) return 'application/octet-stream'
  return type.startsWith('text/') ? `${type}; charset=utf-8` : type
}
