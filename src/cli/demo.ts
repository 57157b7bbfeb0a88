import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { formatInstant } from '../core/timespec.js'
import { noteStopSignal, STOP_SIGNALS, stoppedBy } from '../daemon/signals.js'
import { freePort, startMoto } from '../demo/moto.js'
import { mountForDemo } from '../demo/mount.js'
import { seedDemo } from '../demo/seed.js'
import { S3Access } from '../s3/access.js'
import type { Command } from './commands.js'

const BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/infinstor')
const BUCKET = 'sales'
const LABEL = 'q4-first-split'
/** The longest an example program may run (a stuck one must not hold the demo, or its clean-up). */
const CHILD_MS = 60_000

/** Runs a program and prints it with its output, like a terminal would; a failure is shown, not thrown. */
async function show (cleanup: Cleanup, env: NodeJS.ProcessEnv, shown: string, file: string, args: string[]): Promise<void> {
  const r = await cleanup.exec(file, args, env).catch((e: { stdout?: string, stderr?: string }) => e)
  process.stdout.write(`\n$ ${shown}\n${r.stdout ?? ''}${r.stderr ?? ''}`)
}

function quote (args: string[]): string {
  return args.map(a => /[\s"()]/.test(a) ? `'${a}'` : a).join(' ')
}

async function showMount (cleanup: Cleanup, env: NodeJS.ProcessEnv, mounted: { dir: string }, t: string[]): Promise<void> {
  const at = (i: number): string => `${mounted.dir}/${BUCKET}/@${t[i]}`
  process.stdout.write(`\nThe same bucket mounted at ${mounted.dir}: plain paths, any time (outputs are real):\n`)
  const shell: string[][] = [
    ['ls', `${mounted.dir}/${BUCKET}`],
    ['ls', '-l', `${at(1)}/q4`],
    ['ls', '-l', `${at(4)}/q4`],
    ['head', '-3', `${at(1)}/q4/train.csv`],
    ['wc', '-l', `${at(1)}/q4/train.csv`, `${mounted.dir}/${BUCKET}/@latest/q4/train.csv`],
    ['python3', '-c', `print(len(open("${at(2)}/q4/train.csv").readlines()), "lines")`],
    ['readlink', `${mounted.dir}/@labels/${LABEL}`]
  ]
  for (const args of shell) await show(cleanup, env, quote(args), args[0], args.slice(1))
}

/** How to run `infinstor` from another shell: the command itself when it is on the PATH, else an alias first. */
function invocation (): { setup: string[], bin: string } {
  const onPath = (process.env.PATH ?? '').split(delimiter).some(d => d !== '' && isExecutable(join(d, 'infinstor')))
  return onPath ? { setup: [], bin: 'infinstor' } : { setup: [`alias infinstor=${BIN}`], bin: 'infinstor' }
}

function isExecutable (path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * Stops what the demo started, in reverse order, once. A terminal's Ctrl-C
 * (or its closing, SIGHUP) reaches the demo, the mount and moto together,
 * and more signals may follow: the handlers stay installed until the end,
 * so no second signal cuts the clean-up short (which would leave a dead
 * mount behind).
 */
class Cleanup {
  private readonly steps: Array<() => Promise<void>> = []
  private running: Promise<void> | undefined
  /** The programs of the demo's main flow still running (see exec). */
  private readonly children = new Set<Promise<void>>()
  readonly signalled: Promise<NodeJS.Signals>

  constructor () {
    this.signalled = new Promise(resolve => {
      const on = (signal: NodeJS.Signals): void => {
        noteStopSignal(signal)
        resolve(signal)
        // A signal before the demo reached its wait: clean up and leave now.
        if (!this.waiting) void this.run().then(async () => { await stoppedBy(signal); process.exit(130) })
      }
      for (const signal of STOP_SIGNALS) process.on(signal, on)
    })
  }

  waiting = false

  add (step: () => Promise<void>): void { this.steps.push(step) }

  /**
   * Waits here for good once the clean-up has begun: the demo's main flow
   * goes on between its awaits while a signal's clean-up runs, and what it
   * would start next (the mount, a program that writes into the state
   * folder) could outlive the clean-up; the process exits meanwhile.
   */
  async proceed (): Promise<void> {
    if (this.running !== undefined) await new Promise(() => {})
  }

  /**
   * Runs a program for the main flow, unless the clean-up has begun (see
   * proceed). A run on a fast machine left the state folder behind after a
   * Ctrl-C during the mount's examples: by elimination, `keys create` made it
   * again after the clean-up had removed it.
   * The clean-up waits for the programs still running (the same Ctrl-C
   * reached them); each may run for CHILD_MS at most.
   */
  async exec (file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ stdout: string, stderr: string }> {
    await this.proceed()
    const child = promisify(execFile)(file, args, { env, timeout: CHILD_MS })
    const settled = child.then(() => {}, () => {})
    this.children.add(settled)
    void settled.then(() => this.children.delete(settled))
    return await child
  }

  /** Runs every step added so far, and any added meanwhile (the demo may still be starting something). */
  async run (): Promise<void> {
    this.running ??= (async () => {
      await Promise.all(this.children)
      for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) await step().catch(() => {})
    })()
    await this.running
  }
}

/** The gateway the demo's mount runs: a key, then unchanged boto3 code reading a past time and a label. */
async function showGateway (cleanup: Cleanup, env: NodeJS.ProcessEnv, bin: string, port: string, t: string[]): Promise<void> {
  const url = `http://127.0.0.1:${port}`
  process.stdout.write(`\nThe same bucket through the S3 gateway at ${url} (any S3 client; SigV4 with a key of its own):\n`)
  const made = await cleanup.exec(process.execPath, [BIN, 'keys', 'create', '--name', 'demo'], env)
  process.stdout.write(`\n$ ${bin} keys create --name demo\n${made.stdout.split('\n\n')[0]}\n`)
  const id = /access key id: +(\S+)/.exec(made.stdout)?.[1] ?? ''
  const secret = /secret access key: +(\S+)/.exec(made.stdout)?.[1] ?? ''
  const client = (endpoint: string): string => `boto3.client("s3", endpoint_url="${endpoint}", aws_access_key_id="${id}", aws_secret_access_key="${secret}")`
  const code = [
    'import boto3',
    `s3 = ${client(url)}`,
    `for o in s3.list_objects_v2(Bucket="${BUCKET}", Prefix="@${t[1]}/q4/")["Contents"]: print(o["Key"], o["Size"])`,
    `print(s3.get_object(Bucket="${BUCKET}", Key="@${t[1]}/q4/train.csv")["Body"].read().decode().splitlines()[1])`,
    `labelled = ${client(`${url}/@${LABEL}`)}`,
    `print([o["Key"] for o in labelled.list_objects_v2(Bucket="${BUCKET}")["Contents"]])`
  ].join('\n')
  const hasBoto3 = await cleanup.exec('python3', ['-c', 'import boto3']).then(() => true, () => false)
  if (hasBoto3) await show(cleanup, env, `python3 - <<'EOF'\n${code}\nEOF`, 'python3', ['-c', code])
  else process.stdout.write(`\n(boto3 is not installed here; with it, this reads the bucket at ${t[1]} and at the label:)\n${code}\n`)
}

export const demo: Command = {
  summary: 'start a local demo S3 with versioned history, and show it at different times',
  usage: '[--once]',
  options: { once: { type: 'boolean' } },
  async run (ctx) {
    const cleanup = new Cleanup()
    process.stdout.write('Starting a local S3 server (moto) and writing a few seconds of history...\n')
    const moto = await startMoto()
    cleanup.add(moto.stop)
    // The demo keeps its labels and token to itself, away from the user's own.
    const state = await mkdtemp(join(tmpdir(), 'infinstor-demo-state-'))
    cleanup.add(async () => { await rm(state, { recursive: true, force: true }) })
    const demoEnv = {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'demo',
      AWS_SECRET_ACCESS_KEY: 'demo',
      INFINSTOR_LABEL_STORE: join(state, 'labels.json'),
      INFINSTOR_TOKEN_FILE: join(state, 'token'),
      // The gateway's keys live in the config directory: the demo's own.
      XDG_CONFIG_HOME: state,
      // Labels name settled history only; the demo's history is seconds old.
      INFINSTOR_SETTLE_MARGIN_MS: '1000'
    }
    // The demo's own mount serves HTTP and the S3 gateway on free ports; not
    // exported below, so that the user's own `infinstor ui` or mount picks its own.
    const env = { ...process.env, ...demoEnv, INFINSTOR_PORT: String(await freePort()), INFINSTOR_S3_PORT: String(await freePort()), AWS_REGION: 'us-east-1' }
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'demo', AWS_SECRET_ACCESS_KEY: 'demo' })
    const s3 = new S3Access({ endpoint: moto.endpoint, attempts: 3, timeoutMs: 5000, concurrency: 8 })
    const steps = await seedDemo(s3, BUCKET)
    s3.destroy()
    const t = steps.map(s => formatInstant(s.at))
    process.stdout.write(`\nBucket '${BUCKET}' at ${moto.endpoint}, history:\n`)
    steps.forEach((s, i) => process.stdout.write(`  ${t[i]}  ${s.what}\n`))
    await new Promise(resolve => setTimeout(resolve, 1100))

    const bin = relative(process.cwd(), BIN).startsWith('..') ? BIN : './' + relative(process.cwd(), BIN)
    const examples: string[][] = [
      ['ls', '-l', `s3://${BUCKET}/q4@${t[1]}`],
      ['ls', '-l', `s3://${BUCKET}/q4@${t[4]}`],
      ['cat', `s3://${BUCKET}/README.md@${t[0]}`],
      ['diff', `s3://${BUCKET}@${t[1]}`, `@${t[4]}`],
      ['ls', '-R', `s3://${BUCKET}@${t[1]}..${t[4]}`],
      ['log', `s3://${BUCKET}/q4/test.csv`],
      ['label', 'create', LABEL, `s3://${BUCKET}/q4@${t[1]}`, '-m', 'the split model v1 trained on'],
      ['ls', '-l', `s3://${BUCKET}@${LABEL}`],
      ['status', BUCKET]
    ]
    process.stdout.write('\nExamples (the outputs are real):\n')
    for (const args of examples) await show(cleanup, env, `${bin} ${quote(args)}`, process.execPath, [BIN, ...args])

    await cleanup.proceed()
    const mount = await mountForDemo(BIN, BUCKET, env)
    let mounted: { dir: string, http?: string } | undefined
    if (typeof mount === 'string') {
      process.stdout.write(`\nMount: ${mount}.\n`)
    } else {
      cleanup.add(mount.stop)
      const r = await mount.ready
      if ('failed' in r) process.stdout.write(`\nMount: ${r.failed}.\n`)
      else mounted = { dir: mount.dir, http: r.http }
    }
    if (mounted !== undefined) await showMount(cleanup, env, mounted, t)
    if (mounted?.http !== undefined) {
      const token = (await readFile(demoEnv.INFINSTOR_TOKEN_FILE, 'utf8')).trim()
      process.stdout.write(`\nBrowse it in the dashboard: ${mounted.http}/ui/?token=${token}\n` +
        `(the same server answers the Jupyter contents API; see the README's JupyterLab section)\n`)
      await showGateway(cleanup, env, bin, env.INFINSTOR_S3_PORT, t)
    }
    const how = invocation()
    process.stdout.write('\nTo try your own, in another shell:\n' +
      how.setup.map(l => `  ${l}\n`).join('') +
      `  export ${Object.entries(demoEnv).map(([k, v]) => `${k}=${v}`).join(' ')}\n` +
      `  ${how.bin} ls s3://${BUCKET}@${t[1]}\n` +
      `  ${how.bin} --help\n`)
    let signal: NodeJS.Signals | undefined
    if (ctx.flags.once !== true) {
      process.stdout.write('\nThe demo S3, mount, dashboard and gateway run until you press Ctrl-C.\n')
      cleanup.waiting = true
      signal = await cleanup.signalled
      process.stdout.write('\nStopping the demo: unmounting, stopping the local S3...\n')
    }
    await cleanup.run()
    return await stoppedBy(signal)
  }
}
