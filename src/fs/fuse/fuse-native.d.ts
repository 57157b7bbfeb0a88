// The part of fuse-native 2.2.6's API this project uses (it ships no types).
declare module 'fuse-native' {
  type Callback = (code: number, ...values: unknown[]) => void

  interface FuseOptions {
    fsname?: string
    subtype?: string
    autoCache?: boolean
    kernelCache?: boolean
    /** Seconds; fuse-native drops falsy values, so 0 cannot be set. */
    entryTimeout?: number
    attrTimeout?: number
    maxRead?: number
    allowOther?: boolean
    force?: boolean
    mkdir?: boolean
    /** Per-operation timeout in ms (default 15000); replies ETIMEDOUT when it fires. */
    timeout?: number | false
    debug?: boolean
  }

  class Fuse {
    constructor (mountpoint: string, ops: Record<string, (...args: any[]) => void>, opts?: FuseOptions)
    mount (cb: (err: Error | null) => void): void
    unmount (cb: (err: Error | null) => void): void
    static unmount (mountpoint: string, cb: (err: Error | null) => void): void
  }

  export default Fuse
}
