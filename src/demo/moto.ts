import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'

export interface Moto {
  endpoint: string
  port: number
  process: ChildProcess
  stop: () => Promise<void>
}

export async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  server.close()
  await once(server, 'close')
  return port
}

async function ready (endpoint: string, deadline: number, child: ChildProcess): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`)
    try {
      const res = await fetch(endpoint + '/moto-api/', { signal: AbortSignal.timeout(1000) })
      await res.arrayBuffer()
      return
    } catch {
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }
  throw new Error(`moto_server did not answer at ${endpoint}`)
}

const START_TIMEOUT_MS = 120_000

/**
 * Starts moto's S3 server on a free loopback port (or the one given).
 * Restarting on the same port keeps tests' endpoints stable across a
 * simulated outage; moto's data does not survive a restart.
 */
export async function startMoto (opts: { port?: number, env?: NodeJS.ProcessEnv } = {}): Promise<Moto> {
  const p = opts.port ?? await freePort()
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(p)], {
    stdio: 'ignore',
    env: { ...process.env, ...opts.env }
  })
  const failed = once(child, 'error').then(([e]) => { throw new Error(`cannot start moto_server (run scripts/setup.sh): ${String(e)}`) })
  const endpoint = `http://127.0.0.1:${p}`
  try {
    // moto imports a lot of Python before it answers: seconds of CPU, which a loaded machine hands out slowly.
    await Promise.race([ready(endpoint, Date.now() + START_TIMEOUT_MS, child), failed])
  } catch (e) {
    // Not left running: it would outlive the failure (and keep a test process alive).
    child.kill('SIGKILL')
    throw e
  }
  return {
    endpoint,
    port: p,
    process: child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  }
}
