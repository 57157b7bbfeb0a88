// Through a real mount: the odd-key mapping table, bad specs and every kind
// of write, each seen by ordinary tools in child processes.
import { CreateBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import { formatInstant } from '../../src/core/timespec.js'
import { mountTree, run } from '../helpers/mount.js'
import { s3env } from '../helpers/s3env.js'

const LONG = 'L'.repeat(300)
const KEYS: Record<string, string> = {
  'a//b': 'double slash',
  'dots/./x': 'dot',
  'dots/../y': 'dot dot',
  clash: 'hidden by the directory',
  'clash/inner': 'inner',
  'trail/': '',
  [`long/${LONG}`]: 'long name',
  'ünïcödé/файл.txt': 'unicode',
  'with space.txt': 'space',
  'coll/．': 'a real fullwidth dot',
  'coll/./k': 'behind a stand-in that collides'
}

t.test('odd keys, bad specs and writes through a real mount', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'odd' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'odd', VersioningConfiguration: { Status: 'Enabled' } }))
  for (const [key, body] of Object.entries(KEYS)) await env.raw.send(new PutObjectCommand({ Bucket: 'odd', Key: key, Body: body }))
  await env.raw.send(new CreateBucketCommand({ Bucket: 'unversioned' }))
  await env.raw.send(new PutObjectCommand({ Bucket: 'unversioned', Key: 'f', Body: 'x' }))
  const m = await mountTree(t, env)
  const v = `${m.dir}/odd/@latest`
  const ls = async (dir: string): Promise<string[]> => (await run('ls', ['-1A', dir])).stdout.split('\n').filter(l => l !== '')
  const cat = async (path: string): Promise<string> => (await run('cat', [path])).stdout

  await t.test('the mapping table', async t => {
    t.same(await ls(v), ['a', 'clash', 'coll', 'dots', 'long', 'trail', 'with space.txt', 'ünïcödé'], 'the top level')
    t.same(await ls(`${v}/a`), ['／'], "'' (from a//b) -> ／")
    t.equal(await cat(`${v}/a/／/b`), 'double slash', 'a//b reads as a/／/b')
    t.same(await ls(`${v}/dots`), ['．', '．．'], "'.' -> ．, '..' -> ．．")
    t.equal(await cat(`${v}/dots/．/x`), 'dot', 'dots/./x reads as dots/．/x')
    t.equal(await cat(`${v}/dots/．．/y`), 'dot dot', 'dots/../y reads as dots/．．/y')
    t.same(await ls(`${v}/trail`), [], "a 'dir/' marker is an empty directory")
    t.same(await ls(`${v}/clash`), ['inner'], 'the directory wins over the file of the same name')
    t.match(m.log(), /s3:\/\/odd\/clash is hidden at latest: a directory of the same name wins/, 'and the hidden file is logged')
    const [long] = await ls(`${v}/long`)
    t.equal(Buffer.byteLength(long), 255, 'a name over 255 bytes is cut to 255')
    t.match(long, /^L{246}~[0-9a-f]{8}$/, 'ending in ~ and a hash of the whole name')
    t.equal(await cat(`${v}/long/${long}`), 'long name', 'the long name reads')
    t.equal(await cat(`${v}/ünïcödé/файл.txt`), 'unicode', 'unicode names are kept')
    t.equal(await cat(`${v}/with space.txt`), 'space', 'spaces are kept')
    const coll = await ls(`${v}/coll`)
    t.equal(coll.length, 2, 'a stand-in that collides with a real name')
    t.ok(coll.includes('．'), 'keeps the real name as it is')
    const standIn = coll.find(n => n !== '．') as string
    t.match(standIn, /^．~[0-9a-f]{8}$/, 'and the stand-in gets a hash')
    t.equal(await cat(`${v}/coll/．`), 'a real fullwidth dot', 'the real name reads its own key')
    t.equal(await cat(`${v}/coll/${standIn}/k`), 'behind a stand-in that collides', 'the hashed stand-in reads coll/./k')
  })

  await t.test('attributes', async t => {
    const [file, dir] = await Promise.all([
      run('stat', ['-c', '%F %a %s %u %g', `${v}/with space.txt`]),
      run('stat', ['-c', '%F %a %u %g', `${v}/dots`])
    ])
    const uid = process.getuid?.() ?? 0
    const gid = process.getgid?.() ?? 0
    t.equal(file.stdout.trim(), `regular file 444 5 ${uid} ${gid}`, 'files: 0444, the size of the version, the mounting user')
    t.equal(dir.stdout.trim(), `directory 555 ${uid} ${gid}`, 'directories: 0555')
    t.same(await ls(`${m.dir}`), ['@labels', 'odd', 'unversioned'], 'the root lists the label links and the buckets')
    t.same(await ls(`${m.dir}/odd`), ['@latest'], 'a bucket lists @latest')
  })

  await t.test('bad specs and unknown names are ENOENT, and the log says why', async t => {
    const future = formatInstant(Date.now() + 86_400_000)
    for (const p of ['odd/@no-such-label', `odd/@${future}`, 'odd/@2022-13-01', 'odd/@2022-12-06T00:00:00', 'odd/@', 'odd/plain',
      'odd/@latest/nope', 'nobucket', 'unversioned/@2022-12-06']) {
      const r = await run('ls', [`${m.dir}/${p}`])
      t.match(r.stderr, /No such file or directory/, `${p}: ENOENT`)
    }
    t.match((await run('ls', [`${v}/with space.txt/below`])).stderr, /Not a directory/, 'a path through a file: ENOTDIR')
    t.match(m.log(), /in the future; the server's time is/, 'a future time is explained in the log')
    t.match(m.log(), /bad time spec '2022-13-01': no such date or time/, 'a bad date is explained')
    t.match(m.log(), /without Z or an offset is ambiguous/, 'a time without a zone is explained')
    t.match(m.log(), /bucket 'unversioned' has never had versioning/, 'time travel in an unversioned bucket is explained')
    t.equal(await cat(`${m.dir}/unversioned/@latest/f`), 'x', "an unversioned bucket's latest is there")
    const py = await run('python3', ['-c', `import os; print(sorted(os.listdir(${JSON.stringify(`${v}/dots`)})))`])
    t.equal(py.stdout.trim(), "['．', '．．']", 'python sees the same names')
  })

  await t.test('every kind of write is EROFS', async t => {
    const file = `${v}/with space.txt`
    const writes: Array<[string, string[]]> = [
      ['touch', [`${v}/new`]],
      ['touch', [file]],
      ['sh', ['-c', `echo x > "${file}"`]],
      ['sh', ['-c', `echo x >> "${file}"`]],
      ['sh', ['-c', `echo x > "${v}/new"`]],
      ['mkdir', [`${v}/newdir`]],
      ['mkdir', [`${m.dir}/newbucket`]],
      ['mkdir', [`${m.dir}/odd/@newview`]],
      ['rm', [file]],
      ['rmdir', [`${v}/trail`]],
      ['mv', [file, `${v}/moved`]],
      ['ln', ['-s', 'x', `${v}/link`]],
      ['ln', [file, `${v}/hard`]],
      ['chmod', ['644', file]],
      ['truncate', ['-s', '0', file]],
      ['python3', ['-c', `open(${JSON.stringify(file)}, 'r+b')`]]
    ]
    for (const [cmd, args] of writes) {
      const r = await run(cmd, args)
      t.not(r.code, 0, `${cmd} ${args.join(' ')} fails`)
      t.match(r.stderr, /Read-only file system/, `${cmd} ${args.at(-1) as string}: EROFS`)
    }
    t.equal(await cat(file), 'space', 'nothing changed')
    t.same(await ls(v), ['a', 'clash', 'coll', 'dots', 'long', 'trail', 'with space.txt', 'ünïcödé'], 'nothing appeared')
  })
})

t.test('kernel caching: past versions stay cached across opens, @latest follows S3 without torn reads', async t => {
  const env = await s3env(t)
  await env.raw.send(new CreateBucketCommand({ Bucket: 'fresh' }))
  await env.raw.send(new PutBucketVersioningCommand({ Bucket: 'fresh', VersioningConfiguration: { Status: 'Enabled' } }))
  const put = async (key: string, body: string | Buffer): Promise<void> => {
    await env.raw.send(new PutObjectCommand({ Bucket: 'fresh', Key: key, Body: body }))
  }
  await put('same-size', 'AAAA')
  await put('grows', 'short')
  await put('goes', 'bye')
  await put('past.bin', Buffer.alloc(1 << 20, 7))
  const m = await mountTree(t, env, { extraEnv: { INFINSTOR_LIVE_TTL_MS: '500' } })
  const latest = `${m.dir}/fresh/@latest`
  const past = `${m.dir}/fresh/@${formatInstant(Date.now())}/past.bin`

  t.equal((await run('sha256sum', [past])).code, 0, 'a past version read once')
  await new Promise(resolve => setTimeout(resolve, 1500)) // past the attribute timeout: the next open revalidates
  const resident = await run('fincore', ['--bytes', '--noheadings', '--output', 'RES,SIZE', past])
  const [res, size] = resident.stdout.trim().split(/\s+/)
  t.equal(res, size, `and a later open finds all its pages still in the page cache (${resident.stdout.trim()}${resident.stderr})`)

  t.same([await cat(`${latest}/same-size`), await cat(`${latest}/grows`), await cat(`${latest}/goes`)], ['AAAA', 'short', 'bye'])
  await new Promise(resolve => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20))
  await put('same-size', 'BBBB')
  await put('grows', 'much longer now')
  await env.raw.send(new DeleteObjectCommand({ Bucket: 'fresh', Key: 'goes' }))
  const seen = { 'same-size': new Set<string>(), grows: new Set<string>() }
  let gone = false
  let rounds = 0
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; rounds++) {
    seen['same-size'].add(await cat(`${latest}/same-size`))
    seen.grows.add(await cat(`${latest}/grows`))
    gone = (await run('cat', [`${latest}/goes`])).stderr.includes('No such file')
    if (seen['same-size'].has('BBBB') && seen.grows.has('much longer now') && gone) break
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  t.ok(seen['same-size'].has('BBBB'), `a same-size overwrite shows up (its page cache is dropped); saw ${JSON.stringify([...seen['same-size']])} in ${rounds} rounds; log:\n${m.log()}`)
  t.ok(seen.grows.has('much longer now'), 'a longer overwrite shows up in full')
  t.ok(gone, 'a deleted file disappears')
  t.same([...seen['same-size']].filter(s => s !== 'AAAA' && s !== 'BBBB'), [], 'never a mix of two versions')
  t.same([...seen.grows].filter(s => s !== 'short' && s !== 'much longer now'), [], 'never a version cut to another size')

  async function cat (path: string): Promise<string> {
    return (await run('cat', [path])).stdout
  }
})
