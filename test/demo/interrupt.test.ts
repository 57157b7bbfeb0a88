// The interactive demo ends cleanly however it is interrupted: Ctrl-C in a
// terminal (SIGINT to the whole process group), the terminal closing
// (SIGHUP), more signals while it stops, or a signal while it is still
// starting. Afterwards nothing is mounted, no mount folder, state folder or
// status file is left, and no process of it runs.
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { run } from '../helpers/mount.js'
import { BIN } from '../helpers/s3env.js'

const PROMPT = 'run until you press Ctrl-C'

/**
 * Runs the demo in a pseudo-terminal of its own (python's pty, as a terminal
 * emulator would). Once `when` shows in its output, it types Ctrl-C, or
 * with `hangup` closes the terminal as a closed window would (the kernel
 * sends SIGHUP). Prints the output, the exit status and the session's
 * process group.
 */
const PTY_DRIVER = String.raw`
import os, pty, sys, time, select
action, when, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
print("PGID %d" % pid, flush=True)
out, sent, deadline = b"", False, time.time() + 300
while True:
    r, _, _ = select.select([fd], [], [], 1)
    if r:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        sys.stdout.buffer.write(chunk); sys.stdout.flush()
    if not sent and when.encode() in out:
        sent = True
        if action == "hangup":
            os.close(fd)
            break
        os.write(fd, b"\x03")
    if time.time() > deadline:
        break
_, status = os.waitpid(pid, 0)
print("\nEXIT %d SENT %s" % (os.waitstatus_to_exitcode(status), sent), flush=True)
`

interface Sandbox { tmp: string, state: string, env: NodeJS.ProcessEnv }

/** The demo's temporary folders and mount state go where the test can see them. */
function sandbox (t: Test): Sandbox {
  const tmp = mkdtempSync(join(tmpdir(), 'infinstor-demo-int-'))
  const state = mkdtempSync(join(tmpdir(), 'infinstor-demo-int-state-'))
  t.teardown(() => {
    rmSync(tmp, { recursive: true, force: true })
    rmSync(state, { recursive: true, force: true })
  })
  return { tmp, state, env: { ...process.env, TMPDIR: tmp, XDG_STATE_HOME: state } }
}

function processesIn (pgid: number): string[] {
  const out: string[] = []
  for (const name of readdirSync('/proc').filter(n => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(`${name}: ${stat.slice(0, stat.lastIndexOf(')') + 1)}`)
    } catch {}
  }
  return out
}

async function nothingLeft (t: Test, box: Sandbox, pgid: number, output: string): Promise<void> {
  // Children finish their own clean-up after the demo exits, if at all: give them a moment.
  for (let i = 0; i < 100 && processesIn(pgid).length > 0; i++) await new Promise(resolve => setTimeout(resolve, 100))
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').filter(l => l.includes(box.tmp))
  t.same(mounts, [], "nothing mounted under the demo's temporary folder", { output })
  t.same(readdirSync(box.tmp), [], 'no mount folder or state folder left')
  const statuses = (() => { try { return readdirSync(join(box.state, 'infinstor', 'mounts')).filter(n => n.endsWith('.json')) } catch { return [] } })()
  t.same(statuses, [], 'no status file left')
  t.same(processesIn(pgid), [], 'no process of the demo (moto, the mount) still runs')
}

/** The demo in a terminal of its own, until `action` and its exit: the output and its process group. */
async function inTerminal (box: Sandbox, action: 'ctrl-c' | 'hangup'): Promise<{ out: string, pgid: number }> {
  const child = spawn('python3', ['-c', PTY_DRIVER, action, PROMPT, process.execPath, BIN, 'demo'], { env: box.env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s })
  child.stderr.setEncoding('utf8').on('data', (s: string) => { out += s })
  await new Promise(resolve => child.on('exit', resolve))
  return { out, pgid: Number(/PGID (\d+)/.exec(out)?.[1]) }
}

t.test('Ctrl-C in a terminal unmounts and cleans up', async t => {
  const box = sandbox(t)
  const { out, pgid } = await inTerminal(box, 'ctrl-c')
  t.match(out, /EXIT 0 SENT True/, 'the demo got Ctrl-C and exited 0', { output: out })
  t.match(out, /Stopping the demo/, 'and said it was stopping')
  await nothingLeft(t, box, pgid, out)
})

t.test('closing the terminal (SIGHUP) unmounts and cleans up', async t => {
  const box = sandbox(t)
  const { out, pgid } = await inTerminal(box, 'hangup')
  t.match(out, /EXIT -1 SENT True/, 'the demo lost its terminal and, once clean, ended by the hangup (SIGHUP)', { output: out })
  await nothingLeft(t, box, pgid, out)
})

/** Starts the demo as the leader of a process group of its own, as a shell's job would be. */
function startJob (box: Sandbox): { pid: number, output: () => string, exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'demo'], { env: box.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s })
  child.stderr.setEncoding('utf8').on('data', (s: string) => { out += s })
  const exited = new Promise<number | null>(resolve => child.on('exit', (code, signal) => resolve(code ?? (signal === null ? null : -1))))
  return { pid: child.pid as number, output: () => out, exited }
}

async function waitFor (job: ReturnType<typeof startJob>, text: string): Promise<void> {
  for (const deadline = Date.now() + 300_000; !job.output().includes(text); await new Promise(resolve => setTimeout(resolve, 100))) {
    if (Date.now() > deadline) throw new Error(`no '${text}' in:\n${job.output()}`)
  }
}

/** The demo's "try your own" lines, run in another shell (bash, where an alias line works as in a terminal). */
async function tryYourOwn (job: ReturnType<typeof startJob>, box: Sandbox): Promise<{ code: number | null, out: string, lines: string }> {
  const text = job.output()
  const lines = text.slice(text.indexOf('To try your own, in another shell:\n') + 35, text.indexOf('\n\n', text.indexOf('To try your own'))).trim()
  // Only what a user's shell has: not the demo's PATH entries or variables.
  const script = `shopt -s expand_aliases\n${lines.split('\n').map(l => l.trim()).join('\n')}\n`
  const r = await run('bash', ['-c', script], { env: { PATH: process.env.PATH, HOME: box.state, XDG_CONFIG_HOME: box.state, XDG_STATE_HOME: box.state } })
  return { code: r.code, out: r.stdout + r.stderr, lines }
}

t.test('SIGINT, SIGTERM and SIGINT again to the whole group: still a clean unmount', async t => {
  const box = sandbox(t)
  const job = startJob(box)
  await waitFor(job, PROMPT)
  const own = await tryYourOwn(job, box)
  t.equal(own.code, 0, 'the "try your own" lines work in another shell', { lines: own.lines, out: own.out })
  t.match(own.out, /README\.md\nq4\//, 'ls lists the bucket at a past time')
  t.match(own.out, /Usage: infinstor <command>/, '--help')
  t.notMatch(own.lines, /INFINSTOR_PORT/, "the demo's own HTTP port is not exported")
  process.kill(-job.pid, 'SIGINT')
  // The later signals must land while the demo cleans up: on a fast machine
  // it is done within 32 to 48 ms, and a signal 50 ms on, in the last moments
  // of its exit, once ended it by that signal instead of exit 0. The group
  // may also be gone already (ESRCH): nothing left to hurt.
  const again = (signal: NodeJS.Signals): void => { try { process.kill(-job.pid, signal) } catch {} }
  await new Promise(resolve => setTimeout(resolve, 5))
  again('SIGTERM')
  await new Promise(resolve => setTimeout(resolve, 5))
  again('SIGINT')
  t.equal(await job.exited, 0, 'the demo exits 0')
  await nothingLeft(t, box, job.pid, job.output())
})

// The mount is up and being shown: the most state there is to clean. Then
// the step that writes into the state folder (a gateway key): a program the
// demo started after its clean-up would make that folder again. The race is
// one of timing: the demo before its fix passed these 3 runs of 3 on a loaded
// machine, and failed the first once, in a fresh clone's run.
for (const when of ['The same bucket mounted at', 'Browse it in the dashboard']) {
  t.test(`a signal while the demo is still starting (after "${when}"): it stops and cleans up`, async t => {
    const box = sandbox(t)
    const job = startJob(box)
    await waitFor(job, when)
    process.kill(-job.pid, 'SIGINT')
    t.equal(await job.exited, 130, 'the demo exits 130 (interrupted)')
    await nothingLeft(t, box, job.pid, job.output())
  })
}
