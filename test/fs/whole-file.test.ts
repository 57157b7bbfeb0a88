// --whole-file-size through a real mount: a file read at random is fetched
// whole, in a few parallel parts, when it fits under the setting, and read
// by read when it does not. A proxy in front of moto counts the ranged GETs.
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { createHash, randomBytes } from 'node:crypto'
import t from 'tap'
import { mountTree, run } from '../helpers/mount.js'
import { s3env } from '../helpers/s3env.js'
import { slowListings } from '../helpers/slow-s3.js'

const KiB = 1024
const MiB = 1024 * KiB
const READ = 64 * KiB
const READS = 16

// 64 KiB at each offset in turn, with the kernel's readahead off
// (POSIX_FADV_RANDOM), as a random-access reader does; prints the sha256 of
// all it read, in order.
const READER = `
import hashlib, os, sys
f = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(f, 0, 0, os.POSIX_FADV_RANDOM)
h = hashlib.sha256()
for off in map(int, sys.argv[2:]):
    h.update(os.pread(f, ${READ}, off))
print(h.hexdigest())
`

t.test('a file read at random is fetched whole only up to --whole-file-size', async t => {
  const env = await s3env(t)
  const proxy = await slowListings(t, env.endpoint, 0)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'rand' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'rand', VersioningConfiguration: { Status: 'Enabled' } }))
  // Five 8 MiB parts and a partial block.
  const body = randomBytes(40 * MiB + 5)
  await env.raw.send(new PutObjectCommand({ Bucket: 'rand', Key: 'table.bin', Body: body }))
  // 2.5 MiB apart (past the 2 MiB within which a read joins another's stream, and the 1 MiB a stream
  // first reads ahead), unaligned, in a shuffled order; the last read ends at the end of the file.
  const offsets = Array.from({ length: READS }, (_, i) => ((i * 7) % READS) * 5 * MiB / 2 + 1000)
  offsets.push(body.length - READ)
  const want = createHash('sha256')
  for (const o of offsets) want.update(body.subarray(o, o + READ))
  const expected = want.digest('hex')

  const readAtRandom = async (args: string[]): Promise<number> => {
    const m = await mountTree(t, env, { args, extraEnv: { AWS_ENDPOINT_URL: proxy.endpoint } })
    const before = proxy.rangedGets()
    const out = await run('python3', ['-c', READER, `${m.dir}/rand/@latest/table.bin`, ...offsets.map(String)])
    t.equal(out.code, 0, `${args.join(' ') || 'the default'}: the reader finished`, { stderr: out.stderr })
    t.equal(out.stdout.trim(), expected, `${args.join(' ') || 'the default'}: every read byte-exact`)
    const gets = proxy.rangedGets() - before
    await m.unmount()
    return gets
  }
  const whole = await readAtRandom([])
  const tooBig = await readAtRandom(['--whole-file-size', '16'])
  const never = await readAtRandom(['--whole-file-size', '0'])
  t.comment(`ranged GETs for ${offsets.length} random reads of 40 MiB: ${whole} (default), ${tooBig} (16 MiB), ${never} (0)`)
  // The whole fetch starts at the second read behind another (the sixth): six reads' own GETs, then the
  // file's six parts (five of 8 MiB and its last 5 bytes); a read waiting on a part takes no GET of its own.
  t.ok(whole <= 13, `fetched whole by default: ${whole} ranged GETs`)
  t.ok(tooBig >= 15, `a 40 MiB file is read read by read under --whole-file-size 16: ${tooBig} ranged GETs`)
  t.ok(never >= 15, `and so is every file under --whole-file-size 0: ${never} ranged GETs`)
})
