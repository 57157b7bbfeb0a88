import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { formatInstant } from '../core/timespec.js'
import { startMoto } from '../demo/moto.js'
import { mountForDemo } from '../demo/mount.js'
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
    const mounted = await mountForDemo(BIN, BUCKET, env)
    if (typeof mounted === 'string') {
      process.stdout.write(`\nMount: ${mounted}.\n`)
    } else {
      const at = (i: number): string => `${mounted.dir}/${BUCKET}/@${t[i]}`
      process.stdout.write(`\nThe same bucket mounted at ${mounted.dir}: plain paths, any time (outputs are real):\n`)
      const shell: string[][] = [
        ['ls', '-l', `${at(1)}/q4`],
        ['ls', '-l', `${at(4)}/q4`],
        ['head', '-3', `${at(1)}/q4/train.csv`],
        ['wc', '-l', `${at(1)}/q4/train.csv`, `${mounted.dir}/${BUCKET}/@latest/q4/train.csv`],
        ['python3', '-c', `print(len(open("${at(2)}/q4/train.csv").readlines()), "lines")`]
      ]
      for (const args of shell) {
        // A failing command shows its error, like in a terminal, rather than ending the demo.
        const r = await promisify(execFile)(args[0], args.slice(1), { env }).catch((e: { stdout?: string, stderr?: string }) => e)
        const shown = args.map(a => /[\s"()]/.test(a) ? `'${a}'` : a).join(' ')
        process.stdout.write(`\n$ ${shown}\n${r.stdout ?? ''}${r.stderr ?? ''}`)
      }
    }
    process.stdout.write('\nTo try your own, in another shell:\n' +
      `  export AWS_ENDPOINT_URL=${moto.endpoint} AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo\n` +
      `  ${bin} --help\n` +
      (typeof mounted === 'string' || ctx.flags.once === true ? '' : `  ls ${mounted.dir}/${BUCKET}/@${t[1]}/q4\n`))
    const stop = async (): Promise<void> => {
      if (typeof mounted !== 'string') await mounted.stop()
      await moto.stop()
    }
    if (ctx.flags.once === true) {
      await stop()
      return 0
    }
    process.stdout.write('\nThe demo S3 (and mount) run until you press Ctrl-C.\n')
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')])
    await stop()
    return 0
  }
}
