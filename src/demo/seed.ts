import type { S3Access } from '../s3/access.js'

/** Sleeps until the next whole second has begun: S3 stamps writes in whole seconds. */
export async function nextSecond (): Promise<void> {
  const wait = 1000 - (Date.now() % 1000) + 20
  await new Promise(resolve => setTimeout(resolve, wait))
}

export interface DemoStep {
  /** A time that sees this step's writes and none of the next step's. */
  at: number
  what: string
}

function csv (rows: number, seed: number): string {
  const lines = ['day,region,units']
  for (let i = 0; i < rows; i++) lines.push(`2022-10-${String(1 + (i % 28)).padStart(2, '0')},${['north', 'south', 'east', 'west'][(i + seed) % 4]},${(i * 7 + seed * 13) % 100}`)
  return lines.join('\n') + '\n'
}

/**
 * Builds a small sales bucket with four steps of history, one second
 * apart: files added, overwritten, deleted and re-created.
 */
export async function seedDemo (s3: S3Access, bucket: string): Promise<DemoStep[]> {
  await s3.createBucket(bucket)
  const steps: DemoStep[] = []
  const step = async (what: string, ops: () => Promise<void>): Promise<void> => {
    await nextSecond()
    await ops()
    // A whole-second time: this step's writes are stamped at or before it.
    steps.push({ at: Math.floor(Date.now() / 1000) * 1000, what })
  }
  await step('README.md written before versioning (a "null" version)', async () => {
    await s3.put(bucket, 'README.md', '# Sales data\nQuarterly sales extracts.\n')
  })
  await s3.setVersioning(bucket, true)
  await step('q4/train.csv (20 rows) and q4/test.csv added', async () => {
    await s3.put(bucket, 'q4/train.csv', csv(20, 1))
    await s3.put(bucket, 'q4/test.csv', csv(5, 2))
  })
  await step('q4/train.csv grows to 40 rows; q4/extra/holidays.csv added', async () => {
    await s3.put(bucket, 'q4/train.csv', csv(40, 1))
    await s3.put(bucket, 'q4/extra/holidays.csv', 'day,name\n2022-12-25,Christmas\n')
  })
  await step('q4/test.csv deleted; README.md rewritten', async () => {
    await s3.delete(bucket, 'q4/test.csv')
    await s3.put(bucket, 'README.md', '# Sales data\nQuarterly sales extracts. Test split retired.\n')
  })
  await step('q4/test.csv re-created with new rows; q4/train.csv relabelled', async () => {
    await s3.put(bucket, 'q4/test.csv', csv(8, 3))
    await s3.put(bucket, 'q4/train.csv', csv(40, 5))
  })
  return steps
}
