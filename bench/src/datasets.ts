import { randomFill, randomFillSync } from 'node:crypto'
import { promisify } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client
} from '@aws-sdk/client-s3'
import pLimit from 'p-limit'
import type { Profile } from './config.js'

/** One write or delete, as the generator made it. */
export interface ObjectEvent {
  key: string
  step: number
  versionId: string
  size: number
  deleted: boolean
}

export interface Dataset {
  name: string
  bucket: string
  /**
   * times[i] is a whole-second instant that sees every write of step i and
   * none of step i + 1: S3 stamps writes in whole seconds, and each step
   * starts in a new second.
   */
  times: number[]
  events: ObjectEvent[]
}

export interface BigDataset extends Dataset {
  key: string
  /** The bytes of each version, oldest first, to check what systems return. */
  contents: Buffer[]
}

export interface Datasets {
  big: BigDataset
  folder: Dataset & { prefix: string }
  tree: Dataset & { prefix: string }
  small: Dataset & { prefix: string }
}

/** The objects visible after `step`, key to its visible version. */
export function snapshot (ds: Dataset, step: number): Map<string, ObjectEvent> {
  const out = new Map<string, ObjectEvent>()
  for (const e of ds.events) {
    if (e.step > step) continue
    if (e.deleted) out.delete(e.key)
    else out.set(e.key, e)
  }
  return out
}

export function s3Client (endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { httpAgent: { keepAlive: true, maxSockets: 32 } }
  })
}

class Writer {
  private readonly limit = pLimit(16)
  constructor (private readonly s3: S3Client, readonly bucket: string, readonly events: ObjectEvent[] = []) {}

  async create (): Promise<void> {
    await this.s3.send(new CreateBucketCommand({ Bucket: this.bucket }))
    await this.s3.send(new PutBucketVersioningCommand({ Bucket: this.bucket, VersioningConfiguration: { Status: 'Enabled' } }))
  }

  async put (step: number, key: string, body: Buffer): Promise<void> {
    const out = await this.limit(async () => await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body })))
    this.events.push({ key, step, versionId: out.VersionId ?? 'null', size: body.length, deleted: false })
  }

  async delete (step: number, key: string): Promise<void> {
    const out = await this.limit(async () => await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })))
    this.events.push({ key, step, versionId: out.VersionId ?? 'null', size: 0, deleted: true })
  }

  /** Runs the steps one second apart and returns the time after each. */
  async steps (count: number, step: (i: number) => Promise<void>): Promise<number[]> {
    const times: number[] = []
    for (let i = 0; i < count; i++) {
      await sleep(1000 - (Date.now() % 1000) + 20)
      await step(i)
      times.push(Math.floor(Date.now() / 1000) * 1000)
    }
    return times
  }
}

async function randomBytes (size: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(size)
  await promisify(randomFill)(buf)
  return buf
}

function text (size: number, seed: string): Buffer {
  const line = `${seed},${'x'.repeat(60)}\n`
  return Buffer.from(line.repeat(Math.ceil(size / line.length)).slice(0, size))
}

async function big (s3: S3Client, p: Profile): Promise<BigDataset> {
  const w = new Writer(s3, 'bench-big')
  await w.create()
  const key = 'models/weights.bin'
  // Filled off the event loop, while the other datasets are being written.
  const contents = await Promise.all([...Array(p.bigVersions).keys()].map(async () => await randomBytes(p.bigBytes)))
  const times = await w.steps(p.bigVersions, async (step) => { await w.put(step, key, contents[step]) })
  return { name: 'big', bucket: w.bucket, times, events: w.events, key, contents }
}

/**
 * Every file gets its first version at step 0 and four more spread over
 * the later steps; one file in ten is deleted at a step it is not written
 * in, so some stay deleted and some come back.
 */
async function folder (s3: S3Client, p: Profile): Promise<Datasets['folder']> {
  const w = new Writer(s3, 'bench-folder')
  await w.create()
  const prefix = 'folder/'
  const later = Math.max(p.lsTimes + 1, 5)
  const stride = Math.max(1, Math.floor(later / 4))
  const offsets = [0, 1, 2, 3].map(j => j * stride)
  const deleteOffset = [...Array(later).keys()].find(o => !offsets.includes(o)) as number
  const name = (i: number): string => `${prefix}f${String(i).padStart(4, '0')}.csv`
  const times = await w.steps(later + 1, async (step) => {
    const ops: Array<Promise<void>> = []
    for (let i = 0; i < p.dirFiles; i++) {
      if (step === 0) { ops.push(w.put(0, name(i), text(200 + (i % 50), `${i}-v0`))); continue }
      const j = offsets.findIndex(o => 1 + ((i + o) % later) === step)
      if (j !== -1) ops.push(w.put(step, name(i), text(200 + (i % 50) + 10 * (j + 1), `${i}-v${j + 1}`)))
      else if (i % 10 === 3 && 1 + ((i + deleteOffset) % later) === step) ops.push(w.delete(step, name(i)))
    }
    await Promise.all(ops)
  })
  return { name: 'folder', bucket: w.bucket, times, events: w.events, prefix }
}

async function tree (s3: S3Client, p: Profile): Promise<Datasets['tree']> {
  const w = new Writer(s3, 'bench-tree')
  await w.create()
  const prefix = 'tree/'
  const [a, b, c] = p.tree
  const keys: string[] = []
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      for (let k = 0; k < c; k++) keys.push(`${prefix}d${String(i).padStart(2, '0')}/s${String(j).padStart(2, '0')}/f${String(k).padStart(3, '0')}.txt`)
    }
  }
  const times = await w.steps(2, async (step) => {
    if (step === 0) await Promise.all(keys.map(async (k, n) => await w.put(0, k, text(64 + (n % 64), k))))
    else await Promise.all(keys.map(async (k, n) => n % 20 === 0 ? await w.put(1, k, text(100, k + '-v2')) : n % 40 === 5 ? await w.delete(1, k) : undefined))
  })
  return { name: 'tree', bucket: w.bucket, times, events: w.events, prefix }
}

async function small (s3: S3Client, p: Profile): Promise<Datasets['small']> {
  const w = new Writer(s3, 'bench-small')
  await w.create()
  const prefix = 'small/'
  const keys = [...Array(p.smallFiles).keys()].map(n => `${prefix}g${String(Math.floor(n / 100)).padStart(2, '0')}/f${String(n % 100).padStart(3, '0')}.bin`)
  const times = await w.steps(2, async (step) => {
    await Promise.all(keys.map(async (k, n) => step === 0 || n % 10 === 0
      ? await w.put(step, k, randomFillSync(Buffer.allocUnsafe(p.smallBytes)))
      : undefined))
  })
  return { name: 'small', bucket: w.bucket, times, events: w.events, prefix }
}

/**
 * Checks each event's LastModified against the step times: the whole
 * benchmark rests on `times[i]` separating step i from step i + 1.
 */
async function checkStamps (s3: S3Client, ds: Dataset): Promise<void> {
  const stamp = new Map<string, number>()
  let KeyMarker: string | undefined
  let VersionIdMarker: string | undefined
  do {
    const out = await s3.send(new ListObjectVersionsCommand({ Bucket: ds.bucket, KeyMarker, VersionIdMarker }))
    for (const v of [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])]) stamp.set(v.VersionId ?? '', v.LastModified?.getTime() ?? NaN)
    KeyMarker = out.IsTruncated === true ? out.NextKeyMarker : undefined
    VersionIdMarker = out.NextVersionIdMarker
  } while (KeyMarker !== undefined)
  for (const e of ds.events) {
    const t = stamp.get(e.versionId)
    const after = e.step === 0 ? -Infinity : ds.times[e.step - 1]
    if (t === undefined || !(t > after && t <= ds.times[e.step])) {
      throw new Error(`dataset ${ds.name}: ${e.key} (step ${e.step}) stamped ${String(t)}, outside its step`)
    }
  }
}

/**
 * GETs each version of the big file once. moto copies an object's bytes out
 * of its store on the first GET (the bench's patch keeps them from then on),
 * which would otherwise land on whichever system reads first.
 */
export async function warm (endpoint: string, data: Datasets): Promise<void> {
  const s3 = s3Client(endpoint)
  try {
    for (const e of data.big.events) {
      const out = await s3.send(new GetObjectCommand({ Bucket: data.big.bucket, Key: e.key, VersionId: e.versionId }))
      for await (const _chunk of out.Body as AsyncIterable<Uint8Array>) {}
    }
  } finally {
    s3.destroy()
  }
}

/** Writes all four datasets at once: their one-second steps overlap. */
export async function generate (endpoint: string, p: Profile, log: (line: string) => void): Promise<Datasets> {
  const s3 = s3Client(endpoint)
  const start = performance.now()
  const timed = async <T extends Dataset>(made: Promise<T>): Promise<T> => {
    const ds = await made
    log(`dataset ${ds.name}: ${ds.events.length} writes in ${((performance.now() - start) / 1000).toFixed(1)} s`)
    return ds
  }
  try {
    const [b, f, t, s] = await Promise.all([timed(big(s3, p)), timed(folder(s3, p)), timed(tree(s3, p)), timed(small(s3, p))])
    await Promise.all([b, f, t, s].map(async ds => await checkStamps(s3, ds)))
    return { big: b, folder: f, tree: t, small: s }
  } finally {
    s3.destroy()
  }
}
