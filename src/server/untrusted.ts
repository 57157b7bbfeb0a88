/**
 * Headers for serving a bucket's bytes, which are untrusted: an HTML or SVG
 * file must not run as this origin, where the token cookie would let it
 * call the API. Images and inline styles may render, nothing else loads.
 */
export const UNTRUSTED_CONTENT = {
  'Content-Security-Policy': "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'",
  'X-Content-Type-Options': 'nosniff'
} as const

/** A Content-Disposition naming the file in RFC 5987 form, which any file name survives. */
export function contentDisposition (kind: 'inline' | 'attachment', name: string): string {
  const encoded = encodeURIComponent(name === '' ? 'object' : name)
    .replace(/['()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase())
  return `${kind}; filename*=UTF-8''${encoded}`
}
