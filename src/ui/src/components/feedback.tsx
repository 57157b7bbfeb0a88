import type { ComponentChildren } from 'preact'
import { useLayoutEffect, useRef } from 'preact/hooks'
import type { ApiError } from '../api'
import { transient } from '../hooks'

/**
 * An error in the page: what went wrong, and how to fix it. Errors that
 * heal by themselves (the server restarting, S3 failing) say that the
 * panel loads again by itself: there is no button to press.
 */
export function ErrorBox ({ error }: { error: ApiError }) {
  if (error.reason === 'Network') {
    return <p class="waiting" role="status">Waiting for the InfinStor server… (this loads again by itself)</p>
  }
  return (
    <div class="error" role="alert">
      <strong>{error.message}</strong>
      {error.fix !== undefined && <p class="fix">Fix: {error.fix}</p>}
      {transient(error) && <p class="fix">This loads again by itself when S3 answers.</p>}
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

const FOCUSABLE = 'button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), textarea:not([disabled])'

/**
 * A modal question; nothing happens until the user confirms. It takes the
 * focus (on Cancel: the safe choice), keeps Tab inside, closes on Escape,
 * and gives the focus back to what had it.
 */
export function Confirm ({ title, children, confirmLabel, danger, busy, onConfirm, onCancel }: {
  title: string
  children: ComponentChildren
  confirmLabel: string
  danger?: boolean
  busy?: boolean
  onConfirm: () => void
  onCancel: () => void
}) {
  const box = useRef<HTMLDivElement>(null)
  const cancel = useRef<HTMLButtonElement>(null)
  // A layout effect, so the dialog is focused as it appears: an effect runs
  // a frame later, and a key pressed meanwhile still went to the opener.
  useLayoutEffect(() => {
    const before = document.activeElement as HTMLElement | null
    cancel.current?.focus()
    return () => { before?.focus() }
  }, [])
  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.key === 'Escape' && busy !== true) {
      e.preventDefault()
      onCancel()
      return
    }
    if (e.key !== 'Tab' || box.current === null) return
    const items = [...box.current.querySelectorAll<HTMLElement>(FOCUSABLE)]
    if (items.length === 0) return
    const [first, last] = [items[0], items[items.length - 1]]
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus() }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus() }
  }
  const titleId = `dialog-${title.replace(/[^A-Za-z0-9]+/g, '-')}`
  return (
    <div class="overlay" onClick={e => { if (e.target === e.currentTarget && busy !== true) onCancel() }}>
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={box} onKeyDown={onKeyDown}>
        <h3 id={titleId}>{title}</h3>
        <div class="dialog-body">{children}</div>
        <div class="dialog-actions">
          <button ref={cancel} onClick={onCancel} disabled={busy}>Cancel</button>
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
