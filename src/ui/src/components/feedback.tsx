import type { ComponentChildren } from 'preact'
import type { ApiError } from '../api'

/** An error in the page: what went wrong, and how to fix it. */
export function ErrorBox ({ error, onRetry }: { error: ApiError, onRetry?: () => void }) {
  return (
    <div class="error" role="alert">
      <strong>{error.message}</strong>
      {error.fix !== undefined && <p class="fix">Fix: {error.fix}</p>}
      {onRetry !== undefined && <button onClick={onRetry}>Retry</button>}
    </div>
  )
}

/**
 * Progress of a long operation: a bar that fills when the total is known,
 * else a moving bar with the time spent (big listings take a while).
 */
export function Progress ({ label, elapsed, done, total }: { label: string, elapsed?: number, done?: number, total?: number }) {
  const known = done !== undefined && total !== undefined && total > 0
  return (
    <div class="progress" role="progressbar" aria-label={label}
      aria-valuenow={known ? done : undefined} aria-valuemax={known ? total : undefined}>
      <div class={known ? 'bar' : 'bar moving'} style={known ? { width: `${Math.round(100 * done / total)}%` } : undefined} />
      <span>{label}{known ? ` ${done} of ${total}` : ''}{elapsed !== undefined && elapsed >= 1 ? ` (${elapsed} s)` : ''}</span>
    </div>
  )
}

/** A modal question; nothing happens until the user confirms. */
export function Confirm ({ title, children, confirmLabel, danger, busy, onConfirm, onCancel }: {
  title: string
  children: ComponentChildren
  confirmLabel: string
  danger?: boolean
  busy?: boolean
  onConfirm: () => void
  onCancel: () => void
}) {
  return (
    <div class="overlay" onClick={e => { if (e.target === e.currentTarget) onCancel() }}>
      <div class="dialog" role="dialog" aria-modal="true" aria-label={title}>
        <h3>{title}</h3>
        <div class="dialog-body">{children}</div>
        <div class="dialog-actions">
          <button onClick={onCancel} disabled={busy}>Cancel</button>
          <button class={danger === true ? 'danger' : 'primary'} onClick={onConfirm} disabled={busy}>
            {busy === true ? 'Working…' : confirmLabel}
          </button>
        </div>
      </div>
    </div>
  )
}

export function Empty ({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>
}
