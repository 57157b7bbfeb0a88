import { href } from '../router'

/** bucket / dir / dir: each crumb opens that folder at the same time. */
export function Breadcrumbs ({ page, bucket, path, extra }: { page: string, bucket: string, path: string, extra: Record<string, string | undefined> }) {
  const parts = path === '' ? [] : path.replace(/\/$/, '').split('/')
  return (
    <nav class="crumbs" aria-label="folders">
      <a href={href(page, { ...extra, bucket, path: undefined })}>{bucket}</a>
      {parts.map((p, i) => (
        <span key={i}> / <a href={href(page, { ...extra, bucket, path: parts.slice(0, i + 1).join('/') + '/' })}>{p === '' ? '(empty)' : p}</a></span>
      ))}
    </nav>
  )
}
