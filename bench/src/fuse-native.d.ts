// fuse-native ships no types; the bench's in-memory filesystem uses this much.
declare module 'fuse-native' {
  type Cb = (code: number, ...result: unknown[]) => void
  export interface Ops {
    getattr?: (path: string, cb: Cb) => void
    readdir?: (path: string, cb: Cb) => void
    open?: (path: string, flags: number, cb: Cb) => void
    release?: (path: string, fd: number, cb: Cb) => void
    read?: (path: string, fd: number, buf: Buffer, len: number, pos: number, cb: (bytes: number) => void) => void
  }
  export default class Fuse {
    static ENOENT: number
    static EIO: number
    constructor (mnt: string, ops: Ops, opts?: Record<string, unknown>)
    mount (cb: (err: Error | null) => void): void
    unmount (cb: (err: Error | null) => void): void
  }
}
