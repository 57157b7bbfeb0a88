// The ceiling of a fuse-native daemon that receives its own bytes: one
// file, fed by one ranged GET to its end (as InfinStor's paced GET), read
// from the socket straight into a ring of reused memory and copied from
// there into each FUSE answer, the socket paused while the ring is full.
// No time tree, no listing, no cache, no timers per read: what InfinStor's
// sequential read would cost if its own logic cost nothing.
// Usage: node streamfs-daemon.js URL SIZE MOUNTPOINT [READAHEAD_KIB (1024, as InfinStor)]
import net from 'node:net'
import Fuse from 'fuse-native'
import { setKernelReadahead } from '../../src/fs/fuse/readahead.js'

const [url, sizeArg, mountpoint, readaheadArg] = process.argv.slice(2)
const size = Number(sizeArg)
const KiB = 1024
const MiB = 1024 * KiB
/** InfinStor's stream runs at most its window ahead of its reader (bound 65 MiB; 11 MiB measured). */
const RING = 32 * MiB
/** Kept behind the furthest read: the kernel's readahead may answer a little out of order. */
const BEHIND = 4 * MiB
/** The socket pauses when less than this is free, and reads at most this much at once. */
const ROOM = 256 * KiB

// Touched now, so that no read pays the kernel's page faults for it (InfinStor reuses its blocks too).
const ring = Buffer.alloc(RING, 1)
/** Bytes of the file received so far, and the offset below which the reader is done with them. */
let received = 0
let done = 0

interface Waiter { buf: Buffer, pos: number, end: number, cb: (n: number) => void }
const waiting: Waiter[] = []
let resume: (() => void) | undefined

/** Copies [pos, end) out of the ring into the FUSE buffer, and lets the socket go on if that made room. */
function answer ({ buf, pos, end, cb }: Waiter): void {
  if (pos < received - RING) return cb(Fuse.EIO)
  let n = 0
  while (pos + n < end) {
    const at = (pos + n) % RING
    n += ring.copy(buf, n, at, Math.min(RING, at + end - pos - n))
  }
  done = Math.max(done, end - BEHIND)
  if (resume !== undefined && RING - (received - done) >= 2 * ROOM) {
    const go = resume
    resume = undefined
    go()
  }
  cb(n)
}

function serve (): void {
  for (let i = 0; i < waiting.length;) {
    if (waiting[i].end <= received) answer(waiting.splice(i, 1)[0])
    else i++
  }
}

/**
 * One GET of the whole file, read as src/s3/raw-get.ts reads: `onread`
 * lands each read in memory chosen after the previous one (the ring's free
 * space; scratch memory for the response head and after a pause), so Node
 * allocates and copies nothing per read.
 */
function receive (): void {
  const u = new URL(url)
  const scratch = Buffer.allocUnsafe(64 * KiB)
  let target = scratch
  let head: Buffer | undefined = Buffer.alloc(0)
  const put = (bytes: Buffer): void => {
    for (let from = 0; from < bytes.length;) {
      const at = received % RING
      const n = bytes.copy(ring, at, from, Math.min(bytes.length, from + RING - at))
      from += n
      received += n
    }
  }
  const aim = (): void => {
    const at = received % RING
    target = ring.subarray(at, at + Math.min(ROOM, RING - at, RING - (received - done) - ROOM, size - received))
  }
  const socket = net.connect({
    host: u.hostname,
    port: Number(u.port),
    onread: {
      buffer: () => target,
      callback: (n, buf) => {
        if (head !== undefined) {
          head = Buffer.concat([head, buf.subarray(0, n)])
          const end = head.indexOf('\r\n\r\n')
          if (end === -1) return true
          if (!/^HTTP\/1\.1 206 /.test(head.toString('latin1', 0, 13))) throw new Error(`GET ${url}: ${head.toString('latin1', 0, 40)}`)
          put(head.subarray(end + 4))
          head = undefined
        } else if (buf === target && target !== scratch) received += n
        else put(Buffer.from(buf.buffer, buf.byteOffset, n))
        serve()
        if (received >= size) { socket.destroy(); return false }
        if (RING - (received - done) >= 2 * ROOM) { aim(); return true }
        target = scratch
        resume = () => { aim(); socket.resume() }
        return false
      }
    }
  })
  socket.on('error', e => { process.stderr.write(`streamfs: ${e.message}\n`); process.exit(1) })
  socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nRange: bytes=0-${size - 1}\r\n\r\n`)
}

const uid = process.getuid?.() ?? 0
const gid = process.getgid?.() ?? 0
const epoch = new Date(0)
const stat = (dir: boolean): object => ({ mtime: epoch, atime: epoch, ctime: epoch, size: dir ? 4096 : size, mode: dir ? 0o40555 : 0o100444, uid, gid, nlink: dir ? 2 : 1 })

let started = false
const fuse = new Fuse(mountpoint, {
  getattr: (path, cb) => { path === '/' ? cb(0, stat(true)) : path === '/big.bin' ? cb(0, stat(false)) : cb(Fuse.ENOENT) },
  readdir: (path, cb) => { path === '/' ? cb(0, ['big.bin'], [stat(false)]) : cb(Fuse.ENOENT) },
  open: (path, _flags, cb) => { path === '/big.bin' ? cb(0, 1) : cb(Fuse.ENOENT) },
  release: (_path, _fd, cb) => { cb(0) },
  read: (_path, _fd, buf, len, pos, cb) => {
    if (!started) {
      started = true
      receive()
    }
    const w = { buf, pos, end: Math.min(size, pos + len), cb }
    if (w.end <= w.pos) return cb(0)
    if (w.end <= received) return answer(w)
    waiting.push(w)
  }
}, { kernelCache: true, entryTimeout: 3600, attrTimeout: 3600, force: true })

fuse.mount(err => {
  if (err !== null) {
    process.stderr.write(`streamfs: cannot mount ${mountpoint}: ${err.message}\n`)
    process.exit(1)
  }
  const log = (m: string): void => { process.stderr.write(`streamfs: ${m}\n`) }
  void setKernelReadahead(mountpoint, Number(readaheadArg ?? 1024), { info: log, warnOnce: (_key, m) => { log(m) } })
})
const stop = (): void => { fuse.unmount(() => process.exit(0)) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
