// The quick start's first command: the demo seeds history and shows it at different times.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import t from 'tap'
import { BIN } from '../helpers/s3env.js'

t.test('infinstor demo --once', async t => {
  // infinstor on the PATH (as after npm link): the "try your own" lines use it as it is.
  const bin = mkdtempSync(join(tmpdir(), 'infinstor-demo-bin-'))
  t.teardown(() => rmSync(bin, { recursive: true, force: true }))
  symlinkSync(BIN, join(bin, 'infinstor'))
  const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` }
  const { code, stdout, stderr } = await new Promise<{ code: number, stdout: string, stderr: string }>(resolve => {
    execFile(process.execPath, [BIN, 'demo', '--once'], { timeout: 240_000, env }, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : 1, stdout, stderr }))
  })
  t.equal(code, 0, stderr)
  const times = [...stdout.matchAll(/^ {2}(\d{4}-\d\d-\d\dT[\d:]+Z) {2}/gm)].map(m => m[1])
  t.equal(times.length, 5, 'five steps of history, each with its time')
  t.equal(new Set(times).size, 5, 'at five different times')
  t.match(stdout, /\$ \.\/bin\/infinstor ls -l s3:\/\/sales\/q4@/)
  t.match(stdout, /Quarterly sales extracts\.\n/, 'cat at the first time shows the first README')
  t.match(stdout, /^A {2}q4\/extra\/holidays\.csv/m, 'diff shows an added file')
  t.match(stdout, /^M {2}q4\/train\.csv/m, 'diff shows a modified file')
  t.match(stdout, /deleted/, 'log shows the delete marker')
  t.match(stdout, /versioning: +Enabled/)
  t.match(stdout, /\$ \.\/bin\/infinstor ls -l s3:\/\/sales@q4-first-split\n.*test\.csv\n.*train\.csv\n/, 'a label views its path at its time')
  t.match(stdout, /\$ ls \/tmp\/infinstor-demo-\w+\/sales\n@latest\n@q4-first-split\n/, 'the mount lists the label')
  t.match(stdout, /^ {2}21 \/tmp\/.*train\.csv\n {2}41 \/tmp\/.*@latest\/q4\/train\.csv$/m, 'plain paths at two times differ')
  t.match(stdout, /dashboard: http:\/\/127\.0\.0\.1:\d+\/ui\/\?token=[0-9a-f]+/, 'prints the dashboard URL')
  t.match(stdout, /S3 gateway at http:\/\/127\.0\.0\.1:\d+/, 'shows the S3 gateway')
  t.match(stdout, /\$ \.\/bin\/infinstor keys create --name demo\naccess key id: +IS\w+\n/, 'with a key of its own')
  if (!stdout.includes('boto3 is not installed here')) {
    t.match(stdout, /\nEOF\n@[\d-]+T[\d:]+Z\/q4\/test\.csv \d+\n@[\d-]+T[\d:]+Z\/q4\/train\.csv \d+\n.*\n\['test\.csv', 'train\.csv'\]\n/, 'boto3 lists and reads a past time and a label')
  }
  const tryOwn = stdout.slice(stdout.indexOf('To try your own'))
  t.notMatch(tryOwn, /INFINSTOR_PORT/, "the demo's own HTTP port is not exported")
  t.notMatch(tryOwn, /alias/, 'infinstor is on the PATH: no alias needed')
  t.match(tryOwn, /\n {2}infinstor ls s3:\/\/sales@\S+\n {2}infinstor --help\n/, 'the lines use infinstor')
  t.notMatch(stdout + stderr, /Stream of unknown length/, 'no SDK warning')
})
