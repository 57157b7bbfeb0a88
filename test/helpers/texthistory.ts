import { CreateBucketCommand, PutBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3'
import { applyOp, nextSecond, type History, type State } from './history.js'
import { pick, rng } from './random.js'

/**
 * A random history of small text files (CSV, JSON lines, notes) for UI
 * tests, where contents must be readable on screen. It has the shape of
 * history.ts's, so its oracle (snapshot, slice) applies. Whatever the seed,
 * `train.csv` is written at step 0 and overwritten at step 2, and
 * `later.csv` first appears at step 3, so times 0 and 3 always differ.
 */
export const TEXT_KEYS = ['train.csv', 'test.csv', 'notes.txt', 'later.csv', 'q4/sales.csv', 'q4/returns.csv', 'raw/2024/events.jsonl']

const FORCED: Record<number, string[]> = { 0: ['train.csv', 'notes.txt', 'q4/sales.csv'], 2: ['train.csv'], 3: ['later.csv'] }

function textBody (r: () => number, key: string, step: number): Buffer {
  const rows = 2 + Math.floor(r() * 3)
  if (key.endsWith('.jsonl')) {
    return Buffer.from(Array.from({ length: rows }, (_, i) => JSON.stringify({ id: i, step, v: Math.floor(r() * 1000) })).join('\n') + '\n')
  }
  if (key.endsWith('.txt')) return Buffer.from(`notes for step ${step}: ${Math.floor(r() * 1e6)}\n`)
  return Buffer.from(['id,value,step', ...Array.from({ length: rows }, (_, i) => `${i},${Math.floor(r() * 1000)},${step}`)].join('\n') + '\n')
}

export async function buildTextHistory (s3: S3Client, bucket: string, seed: number, steps = 5): Promise<History> {
  const r = rng(seed)
  const h: History = { bucket, keys: TEXT_KEYS, ops: [], at: [], enabledAtStep: 0 }
  await s3.send(new CreateBucketCommand({ Bucket: bucket }))
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }))
  const live = new Set<string>()
  for (let step = 0; step < steps; step++) {
    await nextSecond()
    const forced = FORCED[step] ?? []
    const chosen = new Set(forced)
    // A few random keys besides; never the ones whose story is fixed.
    for (let n = 0; n < 2; n++) {
      const key = pick(r, TEXT_KEYS)
      if (key !== 'later.csv' && key !== 'train.csv') chosen.add(key)
    }
    for (const key of chosen) {
      const deletes = !forced.includes(key) && live.has(key) && r() < 0.35
      await applyOp(s3, h, live, step, key, deletes ? undefined : textBody(r, key, step))
    }
    h.at.push(Date.now())
  }
  return h
}

/** The names directly under `prefix` ('' or 'a/b/') in a state: files and folders. */
export function childrenOf (state: State, prefix = ''): string[] {
  const names = new Set<string>()
  for (const key of state.keys()) {
    if (!key.startsWith(prefix)) continue
    names.add(key.slice(prefix.length).split('/')[0])
  }
  return [...names].sort()
}
