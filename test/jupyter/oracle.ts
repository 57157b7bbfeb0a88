import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { VENV_BIN } from '../helpers/jupyterlab.js'

export const REPO = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '')
const KERNEL_RUN = fileURLToPath(new URL('kernel_run.py', import.meta.url))

/** The version of `key` in effect at `t` (whole seconds, as S3 stamps them), read straight from S3. */
export async function versionAt (s3: S3Client, bucket: string, key: string, t: number): Promise<string | undefined> {
  const r = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }))
  const all = [
    ...(r.Versions ?? []).map(v => ({ id: v.VersionId, t: v.LastModified?.getTime() ?? 0, key: v.Key, deleted: false })),
    ...(r.DeleteMarkers ?? []).map(v => ({ id: v.VersionId, t: v.LastModified?.getTime() ?? 0, key: v.Key, deleted: true }))
  ].filter(v => v.key === key && v.t <= t).sort((a, b) => b.t - a.t)
  return all[0]?.deleted === false ? all[0].id : undefined
}

export interface CellResult {
  stdout: string
  stderr: string
  result: string | null
  error: { ename: string, evalue: string, traceback: string[] } | null
}

/** Runs cells in a new python3 kernel (or, with `connect`, in a running one) from the test venv. */
export async function runCells (cells: string[], env: NodeJS.ProcessEnv, connect?: string): Promise<CellResult[]> {
  return await new Promise((resolve, reject) => {
    const child = spawn(`${VENV_BIN}python`, [KERNEL_RUN, ...(connect === undefined ? ['new'] : ['connect', connect])], {
      env: { ...env, PATH: `${VENV_BIN}:${env.PATH ?? ''}` },
      stdio: ['pipe', 'pipe', 'pipe']
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (b: Buffer) => { out += b.toString() })
    child.stderr.on('data', (b: Buffer) => { err += b.toString() })
    child.on('exit', code => {
      if (code !== 0) reject(new Error(`kernel_run.py exited with ${code}:\n${err}`))
      else resolve(JSON.parse(out) as CellResult[])
    })
    child.stdin.end(JSON.stringify(cells))
  })
}
