/** What the settings registry holds for the extension (schema/plugin.json). */
export interface LabConfig {
  /**
   * '' means the server extension (infinstor-jupyter) at PROXY_PATH under
   * JupyterLab's base URL, reached with JupyterLab's own login; otherwise a
   * daemon's own URL, reached with `token`.
   */
  serverUrl: string
  /** The daemon's token, for a daemon's own URL; '' sends none. */
  token: string
  mountPoint: string
}

export const PROXY_PATH = 'infinstor/'

export const DEFAULT_CONFIG: LabConfig = { serverUrl: '', token: '', mountPoint: '/infinstor' }

/** Reads the composite settings defensively: a hand-edited file may hold anything. */
export function readConfig (composite: Record<string, unknown>): LabConfig {
  const str = (key: keyof LabConfig): string => {
    const v = composite[key]
    return typeof v === 'string' ? v.trim() : DEFAULT_CONFIG[key]
  }
  return { serverUrl: str('serverUrl'), token: str('token'), mountPoint: str('mountPoint') || DEFAULT_CONFIG.mountPoint }
}

/**
 * The server's base URL, always absolute and ending in '/'. A relative
 * setting is taken against JupyterLab's own base URL, so `proxy/8941/`
 * works under a hub's per-user prefix.
 */
export function baseUrlOf (serverUrl: string, pageBaseUrl: string): string {
  const url = new URL(serverUrl === '' ? PROXY_PATH : serverUrl, pageBaseUrl)
  if (!url.pathname.endsWith('/')) url.pathname += '/'
  url.search = ''
  url.hash = ''
  return url.href
}
