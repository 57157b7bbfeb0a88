import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { formatInstant } from '../core/timespec.js'
import { startMoto } from '../demo/moto.js'
import { seedDemo } from '../demo/seed.js'
import { S3Access } from '../s3/access.js'
import type { Command } from './commands.js'

const BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/infinstor')
const BUCKET = 'sales'

export const demo: Command = {
  summary: 'start a local demo S3 with versioned history, and show it at different times',
  usage: '[--once]',
  options: { once: { type: 'boolean' } },
  async run (ctx) {
    process.stdout.write('Starting a local S3 server (moto) and writing a few seconds of history...\n')
    const moto = await startMoto()
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'demo',
      AWS_SECRET_ACCESS_KEY: 'demo',
      AWS_REGION: 'us-east-1'
    }
    const s3 = new S3Access({ endpoint: moto.endpoint, attempts: 3, timeoutMs: 5000, concurrency: 8 })
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'demo', AWS_SECRET_ACCESS_KEY: 'demo' })
    const steps = await seedDemo(s3, BUCKET)
    const t = steps.map(s => formatInstant(s.at))
    process.stdout.write(`\nBucket '${BUCKET}' at ${moto.endpoint}, history:\n`)
    steps.forEach((s, i) => process.stdout.write(`  ${t[i]}  ${s.what}\n`))

    const bin = relative(process.cwd(), BIN).startsWith('..') ? BIN : './' + relative(process.cwd(), BIN)
    const examples: string[][] = [
      ['ls', '-l', `s3://${BUCKET}/q4@${t[1]}`],
      ['ls', '-l', `s3://${BUCKET}/q4@${t[4]}`],
      ['cat', `s3://${BUCKET}/README.md@${t[0]}`],
      ['diff', `s3://${BUCKET}@${t[1]}`, `@${t[4]}`],
      ['ls', '-R', `s3://${BUCKET}@${t[1]}..${t[4]}`],
      ['log', `s3://${BUCKET}/q4/test.csv`],
      ['status', BUCKET]
    ]
    process.stdout.write('\nExamples (the outputs are real):\n')
    for (const args of examples) {
      const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args], { env })
      process.stdout.write(`\n$ ${bin} ${args.join(' ')}\n${stdout}`)
    }
    process.stdout.write('\nTo try your own, in another shell:\n' +
      `  export AWS_ENDPOINT_URL=${moto.endpoint} AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo\n` +
      `  ${bin} --help\n`)
    if (ctx.flags.once === true) {
      await moto.stop()
      return 0
    }
    process.stdout.write('\nThe demo S3 runs until you press Ctrl-C.\n')
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')])
    await moto.stop()
    return 0
  }
}
