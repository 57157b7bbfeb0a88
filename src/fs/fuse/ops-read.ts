import type { Stat } from '../attrs.js'
import type { TimeTree } from '../../tree/time-tree.js'
import type { Run } from './edge.js'

type Cb = (code: number, ...values: unknown[]) => void

const NAME_MAX = 255
const ST_RDONLY = 1

/** The operations that read: each is a thin call into the tree. */
export function readOps (tree: TimeTree, run: Run): Record<string, (...args: any[]) => void> {
  return {
    getattr (path: string, cb: Cb) {
      run<Stat>('getattr', path, async () => await tree.getattr(path), (e, st) => { e !== 0 ? cb(e) : cb(0, st) })
    },
    readdir (path: string, cb: Cb) {
      run<string[]>('readdir', path, async () => await tree.readdir(path),
        (e, names) => { e !== 0 ? cb(e) : cb(0, ['.', '..', ...(names as string[])]) })
    },
    readlink (path: string, cb: Cb) {
      run<string>('readlink', path, async () => await tree.readlink(path), (e, target) => { e !== 0 ? cb(e) : cb(0, target) })
    },
    access (path: string, mode: number, cb: Cb) {
      run('access', path, async () => { await tree.access(path, mode) }, e => { cb(e) })
    },
    open (path: string, flags: number, cb: Cb) {
      run<number>('open', path, async () => await tree.openFile(path, flags), (e, fd) => { e !== 0 ? cb(e) : cb(0, fd) })
    },
    read (path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Cb) {
      // The bytes are copied straight into libfuse's buffer, which is only
      // ours until the answer: a copy after a deadline's answer must not happen.
      let answered = false
      run<number>('read', path, async () => await tree.readInto(fd, buf.subarray(0, len), pos, () => answered), (e, n) => {
        answered = true
        // fuse-native takes the byte count (or a negative errno) as the first argument.
        cb(e !== 0 ? e : n as number)
      })
    },
    release (path: string, fd: number, cb: Cb) {
      tree.release(fd)
      cb(0)
    },
    statfs (path: string, cb: Cb) {
      cb(0, { bsize: 4096, frsize: 4096, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0, favail: 0, fsid: 0, flag: ST_RDONLY, namemax: NAME_MAX })
    }
  }
}
