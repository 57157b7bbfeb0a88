import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { check, lastLine, run } from '../proc.js'
import { childrenCpu } from '../threads.js'
import { CREDENTIALS, type SystemContext } from './types.js'
import type { SystemInfo } from '../types.js'

// moto refuses anonymous GETs of objects; curl signs with SigV4 itself.
function sign (creds: { accessKeyId: string, secretAccessKey: string }): string {
  return `aws-sigv4 = "aws:amz:${CREDENTIALS.AWS_REGION}:s3"\nuser = "${creds.accessKeyId}:${creds.secretAccessKey}"\n`
}
const MOTO = { accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY }

export interface Transfer {
  bytes: number
  seconds: number
  /** curl's own CPU-seconds (user + system). */
  cpu: number
}

/**
 * The backend limit: the same bytes and listings fetched straight from moto
 * with no filesystem in between. Reads go through curl (one process, one
 * kept-alive connection for many requests), signed by curl itself.
 */
export class Direct {
  info: SystemInfo = { id: 'direct', name: 'direct GET (curl)', role: 'backend limit: moto with no filesystem' }

  constructor (private readonly ctx: SystemContext) {}

  async init (): Promise<void> {
    const v = await run('curl', ['--version'], { timeoutMs: 10_000 }).catch(() => undefined)
    if (v === undefined || v.code !== 0) this.info.skipped = 'curl is not installed'
    else this.info.version = v.stdout.split('\n')[0].split(' ').slice(0, 2).join(' ')
  }

  url (bucket: string, key: string, versionId: string): string {
    return `${this.ctx.endpoint}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}?versionId=${encodeURIComponent(versionId)}`
  }

  /**
   * GETs each request in turn over one connection; returns total bytes and
   * wall time. Signed for moto, or with `creds` (the S3 gateway's own keys).
   */
  async fetch (requests: Array<{ url: string, range?: [number, number] }>, budget: number, creds = MOTO): Promise<Transfer> {
    const config = join(this.ctx.workDir, `curl-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.conf`)
    writeFileSync(config, requests.map(r =>
      `url = "${r.url}"\noutput = "/dev/null"\n${sign(creds)}${r.range !== undefined ? `range = "${r.range[0]}-${r.range[1] - 1}"\n` : ''}write-out = "%{http_code} %{size_download}\\n"\n`
    ).join('next\n'))
    // The shell reads its children's CPU (curl's, once reaped) from /proc.
    const r = await check('sh', ['-c', 'curl "$@"; s=$?; read -r stat < /proc/$$/stat; echo "$stat" >&2; exit $s', 'sh', '-sS', '-K', config], { timeoutMs: budget })
    const own = childrenCpu(lastLine(r.stderr))
    let bytes = 0
    for (const line of r.stdout.trim().split('\n')) {
      const [code, size] = line.split(' ')
      if (!/^2/.test(code)) throw new Error(`GET answered ${code}`)
      bytes += Number(size)
    }
    return { bytes, seconds: r.seconds, cpu: own.user + own.system }
  }

  /**
   * Pages through ListObjectVersions the way a tool without an index must
   * for every listing at a past time. Returns the entries seen.
   */
  async listVersions (bucket: string, prefix: string, delimiter?: string): Promise<{ entries: number, seconds: number }> {
    const start = performance.now()
    let entries = 0
    let markers = ''
    for (;;) {
      const q = new URLSearchParams({ versions: '', prefix, ...(delimiter !== undefined ? { delimiter } : {}) })
      const res = await fetch(`${this.ctx.endpoint}/${bucket}?${q.toString()}${markers}`)
      const xml = await res.text()
      if (!res.ok) throw new Error(`ListObjectVersions answered ${res.status}`)
      entries += (xml.match(/<(Version|DeleteMarker|CommonPrefixes)>/g) ?? []).length
      if (!xml.includes('<IsTruncated>true</IsTruncated>')) break
      const key = /<NextKeyMarker>([^<]*)<\/NextKeyMarker>/.exec(xml)?.[1] ?? ''
      const id = /<NextVersionIdMarker>([^<]*)<\/NextVersionIdMarker>/.exec(xml)?.[1] ?? ''
      markers = `&key-marker=${encodeURIComponent(unescapeXml(key))}&version-id-marker=${encodeURIComponent(unescapeXml(id))}`
    }
    return { entries, seconds: (performance.now() - start) / 1000 }
  }
}

function unescapeXml (s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&')
}
