import { formatInstant } from './timespec.js'

/**
 * Said with a view of a time before its bucket's history begins (the
 * horizon: the earliest versioned write). Such a view is not an error: it
 * is empty, or shows only objects written without versioning and never
 * replaced. Every surface says so in these words (CLI, contents API,
 * dashboard API).
 */
export interface HistoryNote {
  beforeHistory: true
  /** When the bucket's history begins (ISO 8601, UTC); null when it has no versioned write yet. */
  horizon: string | null
  message: string
}

export function historyNote (bucket: string, viewName: string, horizon: number | null): HistoryNote {
  const only = 'only objects written without versioning and never replaced show this early'
  if (horizon === null) {
    return {
      beforeHistory: true,
      horizon: null,
      message: `bucket '${bucket}' has no versioned write yet, so its history has not begun: at ${viewName}, ${only}`
    }
  }
  const h = formatInstant(horizon)
  return {
    beforeHistory: true,
    horizon: h,
    message: `${viewName} is before the history of bucket '${bucket}' begins (${h}, its earliest versioned write): ` +
      `nothing overwritten or deleted before then was kept, and ${only}`
  }
}
