import { InfinError } from '../../core/errors.js'
import type { TreeFile } from '../../tree/nodes.js'
import { segments } from '../../tree/paths.js'
import type { TimeTree } from '../../tree/time-tree.js'
import { toStat, type Owner, type Stat } from '../attrs.js'
import type { Run } from './edge.js'

type Cb = (code: number, ...values: unknown[]) => void

const NAME_MAX = 255
const ST_RDONLY = 1
const O_ACCMODE = 0o3
const O_TRUNC = 0o1000
const W_OK = 2

function readOnly (path: string): InfinError {
  return new InfinError('ReadOnly', `${path}: the time-travel tree is read-only`)
}

/** The operations that read: each is a thin call into the tree, plus the table of open files. */
export function readOps (tree: TimeTree, owner: Owner, run: Run): Record<string, (...args: any[]) => void> {
  const files = new Map<number, TreeFile>()
  let nextFd = 1
  return {
    getattr (path: string, cb: Cb) {
      run<Stat>('getattr', path, async () => toStat(await tree.lookup(segments(path)), owner),
        (e, st) => { e !== 0 ? cb(e) : cb(0, st) })
    },
    readdir (path: string, cb: Cb) {
      run<string[]>('readdir', path, async () => (await tree.list(segments(path))).map(n => n.name),
        (e, names) => { e !== 0 ? cb(e) : cb(0, ['.', '..', ...(names as string[])]) })
    },
    readlink (path: string, cb: Cb) {
      run<string>('readlink', path, async () => {
        const node = await tree.lookup(segments(path))
        if (node.kind !== 'link') throw new InfinError('NotFound', `link ${path} does not exist`)
        return node.target
      }, (e, target) => { e !== 0 ? cb(e) : cb(0, target) })
    },
    access (path: string, mode: number, cb: Cb) {
      run('access', path, async () => {
        if ((mode & W_OK) !== 0) throw readOnly(path)
        await tree.lookup(segments(path))
      }, e => { cb(e) })
    },
    open (path: string, flags: number, cb: Cb) {
      run<number>('open', path, async () => {
        if ((flags & O_ACCMODE) !== 0 || (flags & O_TRUNC) !== 0) throw readOnly(path)
        const file = await tree.open(segments(path))
        const fd = nextFd
        nextFd = nextFd >= 0x7fffffff ? 1 : nextFd + 1
        files.set(fd, file)
        return fd
      }, (e, fd) => { e !== 0 ? cb(e) : cb(0, fd) })
    },
    read (path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Cb) {
      // The bytes are copied straight into libfuse's buffer, which is only
      // ours until the answer: a copy after a deadline's answer must not happen.
      let answered = false
      run<number>('read', path, () => {
        const file = files.get(fd)
        if (file === undefined) throw new InfinError('NotFound', `open file ${fd} of ${path} does not exist`)
        return file.readInto(len === buf.length ? buf : buf.subarray(0, len), pos, () => answered)
      }, (e, n) => {
        answered = true
        // fuse-native takes the byte count (or a negative errno) as the first argument.
        cb(e !== 0 ? e : n as number)
      })
    },
    release (path: string, fd: number, cb: Cb) {
      // Answered whatever happens: no deadline watches the operations that answer at once.
      try {
        files.get(fd)?.close()
      } finally {
        files.delete(fd)
        cb(0)
      }
    },
    statfs (path: string, cb: Cb) {
      cb(0, { bsize: 4096, frsize: 4096, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0, favail: 0, fsid: 0, flag: ST_RDONLY, namemax: NAME_MAX })
    }
  }
}
