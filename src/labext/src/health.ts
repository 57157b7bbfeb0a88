/**
 * Whether the InfinStor server can be used, and if not, a message that
 * names the fix. Pure: it classifies one probe of GET api/infinstor/info.
 */

/** The oldest server whose API this extension speaks. */
export const MIN_SERVER_VERSION = '0.1.0'

export interface ServerInfo {
  name: string
  version: string
  mountPoint?: string
  [key: string]: unknown
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
  | { state: 'ok', info: ServerInfo }
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
        `Proxy ${where.baseUrl} to it (see the README, section JupyterLab), or set "Server URL" in ${SETTINGS} to the daemon's own URL`
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
        fix: ['In the reverse proxy, send Host as the daemon\'s own address (nginx: `proxy_set_header Host $proxy_host`)']
      }
    }
  }
  const info = body as Partial<ServerInfo> | null
  if (status >= 200 && status < 300 && info?.name === 'infinstor' && typeof info.version === 'string') {
    if (compareVersions(info.version, MIN_SERVER_VERSION) < 0) {
      return {
        state: 'problem',
        problem: {
          title: 'The InfinStor server is too old for this extension',
          detail: `The server at ${where.baseUrl} is version ${info.version}; this extension needs ${MIN_SERVER_VERSION} or later.`,
          fix: [`Upgrade InfinStor on the daemon's machine to ${MIN_SERVER_VERSION} or later, then restart infinstor serve`]
        }
      }
    }
    return { state: 'ok', info: info as ServerInfo }
  }
  if (status === 404 || (status >= 200 && status < 300)) {
    return {
      state: 'problem',
      problem: {
        title: 'No InfinStor server at this address',
        detail: `GET ${where.baseUrl}api/infinstor/info answered ${status}${status === 404 ? '' : ' with something else'}: another server is there.`,
        fix: where.sameOrigin
          ? [`Set up the reverse proxy to the daemon at ${where.baseUrl} (README, section JupyterLab), or set "Server URL" in ${SETTINGS}`]
          : [`Check "Server URL" in ${SETTINGS}: it should be the address infinstor serve prints`]
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
