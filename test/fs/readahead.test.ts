// The kernel's readahead for a mount: found by the mount's device, set by
// the mount process, seen here in sysfs (not through the mounted tree).
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { deviceOf, setKernelReadahead } from '../../src/fs/fuse/readahead.js'
import { mountTree, run } from '../helpers/mount.js'
import { s3env } from '../helpers/s3env.js'

t.test('deviceOf reads the device of a mount point from mountinfo', async t => {
  const info = [
    '36 35 0:38 / /mnt/a rw,nosuid,nodev,relatime - fuse.infinstor infinstor rw,user_id=0,group_id=0',
    '37 35 0:39 / /mnt/with\\040space\\011tab rw - fuse.infinstor infinstor rw',
    '38 35 0:40 / /mnt/a rw - fuse.infinstor infinstor rw',
    ''
  ].join('\n')
  t.equal(deviceOf(info, '/mnt/with space\ttab'), '0:39', 'octal escapes in the path are undone')
  t.equal(deviceOf(info, '/mnt/a'), '0:40', 'the last mount at a path hides the earlier ones')
  t.equal(deviceOf(info, '/mnt'), undefined, 'a path with no mount has no device')
})

t.test('a path that is not mounted is logged and changes nothing', async t => {
  const lines: string[] = []
  await setKernelReadahead('/no/such/mount', 1024, { info: m => lines.push(m), warnOnce: (_, m) => lines.push(m) })
  t.match(lines, [/kernel readahead stays at 128 KiB, not the 1024 KiB asked \(\/no\/such\/mount is not in \/proc\/self\/mountinfo\)/])
})

t.test('a real mount gets the readahead asked for, and reads the same bytes', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'readahead' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'readahead', VersioningConfiguration: { Status: 'Enabled' } }))
  const body = randomBytes(5 * 1024 * 1024 + 12345)
  await env.raw.send(new PutObjectCommand({ Bucket: 'readahead', Key: 'big.bin', Body: body }))
  const sha = createHash('sha256').update(body).digest('hex')
  const root = process.getuid?.() === 0
  for (const [args, want] of [[[], root ? '1024' : '128'], [['--kernel-readahead', '0'], '128'], [['--kernel-readahead', '4096'], root ? '4096' : '128']] as const) {
    const m = await mountTree(t, env, { args: [...args] })
    const device = deviceOf(readFileSync('/proc/self/mountinfo', 'utf8'), m.dir)
    t.ok(device, `${args.join(' ') || 'the default'}: the mount is in mountinfo`)
    t.equal(readFileSync(`/sys/class/bdi/${device}/read_ahead_kb`, 'utf8').trim(), want, `${args.join(' ') || 'the default'}: read_ahead_kb is ${want}`)
    if (!root) t.match(m.log(), /only root may set it/, 'and the log says why it stays')
    const read = await run('sha256sum', [`${m.dir}/readahead/@latest/big.bin`])
    t.equal(read.stdout.split(' ')[0], sha, 'a sequential read gives the object\'s bytes')
    await m.unmount()
  }
})
