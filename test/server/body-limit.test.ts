// One authenticated 300 MB POST against a real `infinstor serve`: refused with a 413, and the server's
// memory (its peak RSS, from /proc) barely moves, because the rest of the body is never read.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import t from 'tap'
import { freePort } from '../../src/demo/moto.js'
import { BIN } from '../helpers/s3env.js'
import { tempDir } from '../helpers/temp.js'

const MB = 1_000_000
const TOKEN = 'body-limit-token'

/** The process's peak and current resident memory, in MB. */
function memory (pid: number): { peak: number, now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN)
  return { peak: kb('VmHWM') / 1000, now: kb('VmRSS') / 1000 }
}

/** Streams `total` bytes as one POST, chunked or with a Content-Length; resolves with the reply's status. */
async function post (url: string, total: number, chunked: boolean): Promise<number> {
  return await new Promise((resolve, reject) => {
    let sent = 0
    let status: number | undefined
    const req = request(url, {
      method: 'POST',
      headers: { Authorization: `token ${TOKEN}`, 'Content-Type': 'application/json', ...(chunked ? {} : { 'Content-Length': String(total) }) }
    }, res => {
      status = res.statusCode
      res.resume()
      res.on('end', () => resolve(status ?? 0))
    })
    // The server closes the connection on a refused body: writes then fail, after its reply came.
    req.on('error', e => {
      sent = total
      if (status === undefined) reject(e)
    })
    const chunk = Buffer.alloc(MB, 0x20)
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length
        if (!req.write(chunk)) { req.once('drain', pump); return }
      }
      req.end()
    }
    pump()
  })
}

t.test('a 300 MB body is refused with 413 without being read into memory', async t => {
  const home = tempDir(t, 'body')
  const port = await freePort()
  // No S3 is needed: the body is refused before any label is looked at.
  const server = spawn(process.execPath, [BIN, 'serve', '--port', String(port)], {
    env: { ...process.env, XDG_CONFIG_HOME: home, INFINSTOR_TOKEN: TOKEN, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(() => { server.kill('SIGKILL') })
  let out = ''
  server.stdout.setEncoding('utf8').on('data', (s: string) => { out += s })
  server.stderr.setEncoding('utf8').on('data', (s: string) => { out += s })
  for (const deadline = Date.now() + 60_000; !out.includes('serving on');) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`serve did not start: ${out}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  const url = `http://127.0.0.1:${port}/api/infinstor/labels`
  const before = memory(server.pid as number)
  for (const chunked of [true, false]) {
    t.equal(await post(url, 300 * MB, chunked), 413, `${chunked ? 'chunked' : 'with Content-Length'}: 413`)
  }
  const after = memory(server.pid as number)
  t.comment(`server RSS before ${before.now.toFixed(0)} MB (peak ${before.peak.toFixed(0)}), after ${after.now.toFixed(0)} MB (peak ${after.peak.toFixed(0)})`)
  t.ok(after.peak - before.peak < 50, `peak RSS grew by ${(after.peak - before.peak).toFixed(0)} MB, far less than the body`)
  const small = await new Promise<number>((resolve, reject) => {
    request(url, { method: 'POST', headers: { Authorization: `token ${TOKEN}` } }, res => { res.resume(); resolve(res.statusCode ?? 0) })
      .on('error', reject).end('{"name": 3}')
  })
  t.equal(small, 400, 'and a small body is still read and judged')
})
