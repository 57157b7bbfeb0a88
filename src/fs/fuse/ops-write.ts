import { ERRNO } from '../errno.js'

/**
 * Every operation that would change something. fuse-native does not pass
 * the `ro` mount option on, so the answer (EROFS) is given here. Each takes
 * its callback last, whatever its other arguments.
 */
const WRITES = [
  'write', 'create', 'mknod', 'mkdir', 'rmdir', 'unlink', 'rename', 'link', 'symlink',
  'truncate', 'ftruncate', 'chmod', 'chown', 'utimens', 'setxattr', 'removexattr'
]

export function writeOps (): Record<string, (...args: any[]) => void> {
  const refuse = (...args: unknown[]): void => {
    (args[args.length - 1] as (code: number) => void)(ERRNO.EROFS)
  }
  return Object.fromEntries(WRITES.map(name => [name, refuse]))
}
