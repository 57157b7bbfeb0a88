import { PageConfig, URLExt } from '@jupyterlab/coreutils'
import { ServerConnection } from '@jupyterlab/services'
import { baseUrlOf, type LabConfig } from './config.js'
import type { Probe, Where } from './health.js'
import type { LabelRecord as Label } from '../../core/label-record.js'

/** A label as the InfinStor API returns it: its stored form. */
export type { Label }

export interface NewLabel {
  name: string
  bucket: string
  path: string
  spec: string
  description?: string
}

/** GET api/infinstor/buckets/<b>: what the pickers need of it. */
export interface BucketSummary {
  bucket: string
  versioning: string
  /** The earliest versioned write (UTC), or null: before it, overwritten or deleted data is gone. */
  horizon: string | null
}

/** One entry of a key's history, newest first (GET api/infinstor/buckets/<b>/log). */
export interface LogEntry {
  versionId: string
  lastModified: string
  size: number
  etag: string
  deleted: boolean
}

/** An error answer from the server, carrying its own message. */
export class ApiError extends Error {
  constructor (readonly status: number, message: string, readonly reason?: string) {
    super(message)
  }
}

const PROBE_TIMEOUT_MS = 8000

/** Whether a configuration means the server extension (JupyterLab's own origin and login). */
export function viaExtension (config: LabConfig): boolean {
  return config.serverUrl === ''
}

/**
 * Server settings for one configuration. Through the server extension the
 * drive is just another JupyterLab API: JupyterLab's own token and XSRF
 * cookie go with it. A daemon's own URL gets the daemon's token only, so
 * JupyterLab's token never goes to another server, nor its XSRF cookie.
 */
export function connectionSettings (config: LabConfig): ServerConnection.ISettings {
  const baseUrl = baseUrlOf(config.serverUrl, PageConfig.getBaseUrl())
  if (viaExtension(config)) return ServerConnection.makeSettings({ baseUrl })
  const crossOrigin = new URL(baseUrl).origin !== window.location.origin
  return ServerConnection.makeSettings({
    baseUrl,
    token: config.token,
    appendToken: false,
    fetch: async (input: RequestInfo, init?: RequestInit) => {
      if (crossOrigin && input instanceof Request) input.headers.delete('X-XSRFToken')
      return await window.fetch(input, init)
    }
  })
}

/**
 * Settings that always read the current configuration, so one Drive can
 * follow changes in the settings registry (a Drive's settings are fixed at
 * construction).
 */
export function followingSettings (current: () => ServerConnection.ISettings): ServerConnection.ISettings {
  return new Proxy({} as ServerConnection.ISettings, {
    get: (_target, key) => (current() as unknown as Record<PropertyKey, unknown>)[key]
  })
}

export function whereOf (settings: ServerConnection.ISettings): Where {
  const origin = window.location.origin
  return {
    baseUrl: settings.baseUrl,
    origin,
    sameOrigin: new URL(settings.baseUrl).origin === origin,
    tokenSet: settings.token !== ''
  }
}

async function bodyOf (response: Response): Promise<unknown> {
  const text = await response.text()
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** The InfinStor JSON API (api/infinstor/*) beside the contents API, and the extension's health. */
export class InfinStorClient {
  constructor (private readonly settings: ServerConnection.ISettings) {}

  private url (path: string, query: Record<string, string> = {}): string {
    return URLExt.join(this.settings.baseUrl, 'api/infinstor', path) + URLExt.objectToQueryString(query)
  }

  private async request<T> (path: string, init: RequestInit = {}, query: Record<string, string> = {}): Promise<T> {
    const response = await ServerConnection.makeRequest(this.url(path, query), init, this.settings)
    const body = await bodyOf(response)
    if (!response.ok) {
      const message = (body as { message?: unknown })?.message
      throw new ApiError(response.status,
        typeof message === 'string' ? message : `the InfinStor server answered ${response.status}`,
        (body as { reason?: string })?.reason)
    }
    return body as T
  }

  /** One look at a path under the base URL (api/infinstor/info, or the extension's health), classified later. */
  async probe (path: string): Promise<Probe> {
    try {
      const response = await ServerConnection.makeRequest(URLExt.join(this.settings.baseUrl, path),
        { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }, this.settings)
      return { kind: 'response', status: response.status, body: await bodyOf(response) }
    } catch (e) {
      const cause = e instanceof ServerConnection.NetworkError ? 'connection failed' : (e as Error).message
      return { kind: 'network', message: cause }
    }
  }

  async labels (bucket: string): Promise<Label[]> {
    return await this.request<Label[]>('labels', {}, { bucket })
  }

  async label (name: string): Promise<Label> {
    return await this.request<Label>('labels/' + encodeURIComponent(name))
  }

  async createLabel (label: NewLabel): Promise<Label> {
    return await this.request<Label>('labels', { method: 'POST', body: JSON.stringify(label) })
  }

  async summary (bucket: string): Promise<BucketSummary> {
    return await this.request<BucketSummary>('buckets/' + encodeURIComponent(bucket))
  }

  /** Whether anything is live at the root of a view (the tree shows no folder where nothing is live). */
  async viewHasFiles (bucket: string, spec: string): Promise<boolean> {
    const reply = await this.request<{ total: number }>(`buckets/${encodeURIComponent(bucket)}/dir`, {}, { spec, limit: '0' })
    return reply.total > 0
  }

  async log (bucket: string, key: string): Promise<LogEntry[]> {
    const reply = await this.request<{ versions: LogEntry[] }>(`buckets/${encodeURIComponent(bucket)}/log`, {}, { key })
    return reply.versions
  }
}
