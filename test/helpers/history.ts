import { createHash } from 'node:crypto'
import {
  CreateBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client
} from '@aws-sdk/client-s3'
import { pick, rng } from './random.js'

/**
 * Random histories, and a deliberately simple oracle for them. The oracle
 * never looks at LastModified or listings: it replays the operations it
 * made, step by step. Each step's writes land within one second, and the
 * next step starts after a second boundary, so `at[i]` (a time between two
 * steps) sees exactly steps 0..i.
 */

export const PLAIN_KEYS = [
  'plain.txt', 'dir/a.csv', 'dir/sub/b.bin', 'dir/sub/deeper/c', 'other/x.json'
]
export const ODD_KEYS = [
  'with space.txt', 'ünïcödé/файл.txt', 'sym+bols%20=&~.dat', 'at@sign', 'a//b', 'dots/./x', 'dots/../y',
  'trail/', 'clash', 'clash/inner', 'long/' + 'L'.repeat(300), 'x-/y', 'x/z'
]
/**
 * Keys only a mount or a contents client can show as they are: a NUL (XML
 * has no way to write it, so S3 clients that parse listings strictly, like
 * boto3, fail on it), and a real name equal to another key's stand-in
 * ('．' beside the '.' of 'coll/./x').
 */
export const FILE_NAME_KEYS = ['nul/a\0b', 'coll/．', 'coll/./x']

export interface Op { step: number, key: string, body?: Buffer }

export interface History {
  bucket: string
  keys: string[]
  ops: Op[]
  /** at[i]: a time that sees steps 0..i and nothing later. */
  at: number[]
  /** Steps before this index were written with versioning off ("null" versions). */
  enabledAtStep: number
}

export type State = Map<string, Buffer>

export function sha (b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex')
}

/** The live keys and their bytes after step i (i = -1: before anything). */
export function snapshot (h: History, i: number): State {
  const state: State = new Map()
  for (const op of h.ops) {
    if (op.step > i) break
    if (op.body === undefined) state.delete(op.key)
    else state.set(op.key, op.body)
  }
  return state
}

/** Keys live after step j whose last write came after step i. */
export function slice (h: History, i: number, j: number): State {
  const out: State = new Map()
  for (const [key, body] of snapshot(h, j)) {
    const last = h.ops.filter(o => o.key === key && o.step <= j).at(-1) as Op
    if (last.step > i) out.set(key, body)
  }
  return out
}

export interface Diff { added: string[], modified: string[], deleted: string[] }

export function diff (h: History, i: number, j: number): Diff {
  const a = snapshot(h, i)
  const b = snapshot(h, j)
  const touched = (k: string): boolean => h.ops.some(o => o.key === k && o.step > i && o.step <= j)
  return {
    added: [...b.keys()].filter(k => !a.has(k)).sort(),
    deleted: [...a.keys()].filter(k => !b.has(k)).sort(),
    modified: [...b.keys()].filter(k => a.has(k) && touched(k)).sort()
  }
}

/** The keys of `state` as a tree: directory prefix -> set of child segments. */
export function dirsOf (state: State): Set<string> {
  const dirs = new Set<string>([''])
  for (const key of state.keys()) {
    const parts = key.split('/')
    for (let n = 1; n < parts.length; n++) dirs.add(parts.slice(0, n).join('/') + '/')
  }
  return dirs
}

/** Waits into the next second: moto's LastModified has 1 s resolution. */
export async function nextSecond (): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20))
}

/** One step's op on `key`: writes `body`, or deletes the key when there is none, and records it. */
export async function applyOp (s3: S3Client, h: History, live: Set<string>, step: number, key: string, body?: Buffer): Promise<void> {
  if (body === undefined) {
    await s3.send(new DeleteObjectCommand({ Bucket: h.bucket, Key: key }))
    live.delete(key)
    h.ops.push({ step, key })
  } else {
    await s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: key, Body: body }))
    live.add(key)
    h.ops.push({ step, key, body })
  }
}

function body (r: () => number, key: string, step: number): Buffer {
  if (key.endsWith('/')) return Buffer.alloc(0)
  const size = pick(r, [0, 1, 17, 100, 1000, 4096, 70_000])
  const b = Buffer.alloc(size)
  const tag = Buffer.from(`${key}@${step};`)
  for (let i = 0; i < size; i++) b[i] = i < tag.length ? tag[i] : Math.floor(r() * 256)
  return b
}

export interface HistoryOptions {
  seed: number
  steps: number
  keys?: string[]
  /** Steps written before versioning is enabled (each key at most once). */
  nullSteps?: number
  opsPerStep?: number
}

/** Builds a random history in a fresh bucket through the plain SDK. */
export async function buildHistory (s3: S3Client, bucket: string, o: HistoryOptions): Promise<History> {
  const r = rng(o.seed)
  const keys = o.keys ?? [...PLAIN_KEYS, ...ODD_KEYS]
  const nullSteps = o.nullSteps ?? 1
  const h: History = { bucket, keys, ops: [], at: [], enabledAtStep: nullSteps }
  await s3.send(new CreateBucketCommand({ Bucket: bucket }))
  const live = new Set<string>()
  const writtenUnversioned = new Set<string>()
  for (let step = 0; step < o.steps; step++) {
    if (step === nullSteps) {
      await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }))
    }
    await nextSecond()
    // Each key at most once per step: same-second writes to one key have no
    // reliable order on servers with 1 s LastModified.
    const chosen = new Set<string>()
    const n = 1 + Math.floor(r() * (o.opsPerStep ?? 4))
    for (let tries = 0; chosen.size < n && tries < 50; tries++) {
      const key = pick(r, keys)
      // Without versioning an overwrite or delete destroys history: not allowed there.
      if (step < nullSteps && writtenUnversioned.has(key)) continue
      chosen.add(key)
    }
    for (const key of chosen) {
      const deletes = step >= nullSteps && live.has(key) && r() < 0.4
      await applyOp(s3, h, live, step, key, deletes ? undefined : body(r, key, step))
      if (step < nullSteps) writtenUnversioned.add(key)
    }
    h.at.push(Date.now())
  }
  return h
}
