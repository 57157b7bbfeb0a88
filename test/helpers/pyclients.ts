import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** A venv of the S3 clients the gateway is tested with; scripts/setup.sh makes it. */
export const VENV = `${ROOT}.venv-s3`
export const PYTHON = `${VENV}/bin/python`

const WHEELS = '/opt/pypi/files'
export const CLIENT_PACKAGES = ['boto3', 'pyarrow', 'polars', 'pandas', 'ray[data]']

/** Makes sure the venv exists with the clients (offline wheels when the machine has them). */
export async function ensureClients (): Promise<void> {
  const check = await promisify(execFile)(PYTHON, ['-c', 'import boto3, pyarrow, polars, ray.data'], { timeout: 120_000 }).then(() => true, () => false)
  if (check) return
  if (!existsSync(PYTHON)) await promisify(execFile)('python3', ['-m', 'venv', VENV])
  const source = existsSync(WHEELS) ? ['--no-index', '--find-links', WHEELS] : []
  await promisify(execFile)(`${VENV}/bin/pip`, ['install', '-q', ...source, ...CLIENT_PACKAGES], { timeout: 900_000 })
}

/** Runs a Python file of the venv with a JSON job on stdin; returns its JSON output. */
export async function runPython<T> (file: string, args: string[], job: unknown, env: NodeJS.ProcessEnv = {}, timeoutMs = 600_000): Promise<T> {
  return await new Promise((resolve, reject) => {
    const child = execFile(PYTHON, [file, ...args], { env: { ...process.env, ...env }, maxBuffer: 1 << 28, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stderr}`))
      else resolve(JSON.parse(stdout) as T)
    })
    child.stdin?.end(JSON.stringify(job))
  })
}
