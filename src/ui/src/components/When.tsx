import { when } from '../format'

/**
 * A time in the one format (see `when`), with the local part styled apart,
 * for lists and tables where it must fit a column.
 */
export function When ({ iso }: { iso: string | null | undefined }) {
  const text = when(iso)
  const cut = text.indexOf(' (')
  if (cut < 0) return <span class="when">{text}</span>
  return <span class="when" title={text}>{text.slice(0, cut)}<span class="local">{text.slice(cut)}</span></span>
}
