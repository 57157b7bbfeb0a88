/**
 * Whether the InfinStor server can be used, and if not, a message that
 * names the fix. Pure: it classifies one probe, of the server extension's
 * health (<base>/infinstor/health) or of a daemon's GET api/infinstor/info.
 */

/** The oldest server whose API this extension speaks. */
export const MIN_SERVER_VERSION = '0.1.0'

export interface ServerInfo {
  name: string
  version: string
  mountPoint?: string
  [key: string]: unknown
}

/** What the server extension reports: the daemon it uses, and whether a mount runs and where. */
export interface ExtensionHealth {
  daemon: { source: 'mount' | 'started', url: string, version: string, endpoint: string, region?: string, pid?: number }
  mount: { mountpoint: string, pid: number, sharesCache: boolean, why?: string } | null
}

export type Probe =
  | { kind: 'network', message: string }
  | { kind: 'response', status: number, body: unknown }

export interface Problem {
  title: string
  detail: string
  /** Steps, each one line; shown as a list. `Backquoted` text is a command or a setting to type. */
  fix: string[]
}

export type Health =
  | { state: 'checking' }
  | { state: 'ok', info: ServerInfo, extension?: ExtensionHealth }
  /** No server extension and no server configured: a first run, not an error. */
  | { state: 'setup' }
  | { state: 'problem', problem: Problem }

/** Where the probe went, for messages that name the actual URL and origin. */
export interface Where {
  baseUrl: string
  /** JupyterLab's own origin, which a separate server must allow for CORS. */
  origin: string
  sameOrigin: boolean
  tokenSet: boolean
}

const SETTINGS = 'Settings → Settings Editor → InfinStor'
const TOKEN_FILE = '~/.config/infinstor/token'

/** Compares dotted versions numerically; a pre-release sorts before its release. */
export function compareVersions (a: string, b: string): number {
  const split = (v: string): [number[], string] => {
    const [core, pre = ''] = v.replace(/^v/, '').split('-', 2)
    return [core.split('.').map(n => Number.parseInt(n, 10) || 0), pre]
  }
  const [ca, pa] = split(a)
  const [cb, pb] = split(b)
  for (let i = 0; i < Math.max(ca.length, cb.length); i++) {
    const d = (ca[i] ?? 0) - (cb[i] ?? 0)
    if (d !== 0) return Math.sign(d)
  }
  if (pa === pb) return 0
  if (pa === '') return 1
  if (pb === '') return -1
  return pa < pb ? -1 : 1
}

function messageOf (body: unknown): string | undefined {
  const m = (body as { message?: unknown } | null)?.message
  return typeof m === 'string' ? m : undefined
}

function unreachable (where: Where, message: string): Problem {
  const fix = where.sameOrigin
    ? [
        'Start the daemon on the JupyterLab host: `infinstor serve`',
        `Check "Server URL" in ${SETTINGS}: it should be the address infinstor serve prints (or empty, to use the server extension: \`infinstor jupyter install\`)`
      ]
    : [
        `Start the daemon: \`infinstor serve --allow-origin ${where.origin}\``,
        `If it is running, check "Server URL" in ${SETTINGS}, and that the daemon allows this page's origin (\`--allow-origin ${where.origin}\`)`
      ]
  return { title: 'The InfinStor server cannot be reached', detail: `Nothing answered at ${where.baseUrl} (${message}).`, fix }
}

/**
 * The second look, once the server is known to be InfinStor: it must also
 * serve the Jupyter contents API (a server that does not is too old, or
 * runs without it).
 */
export function diagnoseContents (probe: Probe, info: ServerInfo, where: Where): Health {
  if (probe.kind === 'response' && probe.status >= 200 && probe.status < 300) return { state: 'ok', info }
  if (probe.kind === 'network') return { state: 'problem', problem: unreachable(where, probe.message) }
  return {
    state: 'problem',
    problem: {
      title: 'The InfinStor server does not serve files to JupyterLab',
      detail: `GET ${where.baseUrl}api/contents answered ${probe.status}${messageOf(probe.body) === undefined ? '' : ': ' + (messageOf(probe.body) as string)}. The server (version ${info.version}) has no Jupyter contents API.`,
      fix: ['Run a current InfinStor (`infinstor serve`, or `infinstor mount`, which serves it too), then press Retry']
    }
  }
}

export function diagnose (probe: Probe, where: Where): Health {
  if (probe.kind === 'network') return { state: 'problem', problem: unreachable(where, probe.message) }
  const { status, body } = probe
  const message = messageOf(body)
  if (status === 401) {
    return {
      state: 'problem',
      problem: {
        title: 'The InfinStor server refused the token',
        detail: where.tokenSet
          ? `The token in the settings does not match the one the server at ${where.baseUrl} uses.`
          : `No token is set, and the server at ${where.baseUrl} requires one.`,
        fix: [
          `On the daemon's machine, print its token: \`cat ${TOKEN_FILE}\` (or the --token-file given to infinstor serve)`,
          `Paste it as "Token" in ${SETTINGS}; behind a proxy, the proxy may add "Authorization: token …" instead`
        ]
      }
    }
  }
  if (status === 403 && message !== undefined && /Host header/.test(message)) {
    return {
      state: 'problem',
      problem: {
        title: 'The InfinStor server refused the Host header',
        detail: 'It listens on a loopback address and only answers requests addressed to a loopback name.',
        fix: ['Reach the daemon by a loopback address (127.0.0.1), or use the server extension (empty "Server URL"), which does']
      }
    }
  }
  const info = body as Partial<ServerInfo> | null
  if (status >= 200 && status < 300 && info?.name === 'infinstor' && typeof info.version === 'string') {
    if (compareVersions(info.version, MIN_SERVER_VERSION) < 0) return { state: 'problem', problem: tooOld(info.version, where.baseUrl) }
    return { state: 'ok', info: info as ServerInfo }
  }
  if (status === 404 || (status >= 200 && status < 300)) {
    return {
      state: 'problem',
      problem: {
        title: 'No InfinStor server at this address',
        detail: `GET ${where.baseUrl}api/infinstor/info answered ${status}${status === 404 ? '' : ' with something else'}: another server is there.`,
        fix: [`Check "Server URL" in ${SETTINGS}: it should be the address infinstor serve prints`]
      }
    }
  }
  return {
    state: 'problem',
    problem: {
      title: 'The InfinStor server failed',
      detail: `GET ${where.baseUrl}api/infinstor/info answered ${status}: ${message ?? 'no message'}.`,
      fix: ['See the daemon\'s output for the cause, then press Retry']
    }
  }
}

function tooOld (version: string, where: string): Problem {
  return {
    title: 'The InfinStor server is too old for this extension',
    detail: `The server at ${where} is version ${version}; this extension needs ${MIN_SERVER_VERSION} or later.`,
    fix: [`Upgrade InfinStor on the daemon's machine to ${MIN_SERVER_VERSION} or later, then restart it (and JupyterLab)`]
  }
}

/**
 * The server extension's health: 404 means it is not installed (so the
 * panel asks where a daemon is), 503 carries the extension's own reason and
 * fix (e.g. no infinstor command), 200 names the daemon and the mount.
 */
export function diagnoseExtension (probe: Probe, healthUrl: string): Health {
  if (probe.kind === 'network') {
    return {
      state: 'problem',
      problem: { title: 'JupyterLab\'s server cannot be reached', detail: `${healthUrl}: ${probe.message}.`, fix: ['Check that JupyterLab is still running, then press Retry'] }
    }
  }
  const { status, body } = probe
  if (status === 404) return { state: 'setup' }
  const b = body as { message?: unknown, fix?: unknown, name?: unknown, daemon?: { version?: unknown } } | null
  if (status === 503 && typeof b?.message === 'string') {
    return {
      state: 'problem',
      problem: {
        title: 'The InfinStor server extension cannot reach a daemon',
        detail: b.message,
        fix: Array.isArray(b.fix) ? b.fix.map(String) : ['See the Jupyter server\'s log, then press Retry']
      }
    }
  }
  if (status === 200 && b?.name === 'infinstor-jupyter' && typeof b.daemon?.version === 'string') {
    const health = body as ExtensionHealth
    if (compareVersions(health.daemon.version, MIN_SERVER_VERSION) < 0) return { state: 'problem', problem: tooOld(health.daemon.version, 'the server extension uses') }
    const info: ServerInfo = { name: 'infinstor', version: health.daemon.version }
    if (health.mount !== null) info.mountPoint = health.mount.mountpoint
    return { state: 'ok', info, extension: health }
  }
  return {
    state: 'problem',
    problem: {
      title: 'The InfinStor server extension failed',
      detail: `GET ${healthUrl} answered ${status}${messageOf(body) === undefined ? '' : ': ' + (messageOf(body) as string)}.`,
      fix: ['See the Jupyter server\'s log for the cause, then press Retry']
    }
  }
}
