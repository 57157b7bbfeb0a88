import { InfinError } from '../../core/errors.js'
import { errnoOf } from '../errno.js'
import type { Log } from '../../config/log.js'
import { Deadlines } from '../../reader/deadlines.js'

/**
 * Runs one FUSE operation: the work's domain errors become errno values
 * here and nowhere else, failures worth knowing are logged with their
 * cause, and an answer is always sent by `deadlineMs`, so the mount never
 * hangs on a stuck request. This is the mount's only limit: fuse-native's
 * own (a timer per operation) is off, and the operations that do not come
 * here answer at once.
 */
export type Run = <T>(op: string, path: string, work: () => T | Promise<T>, reply: (errno: number, value?: T) => void) => void

export function runner (log: Log, deadlineMs: number): Run {
  // One timer for all operations: they share one deadline, and nearly all end long before it.
  const deadlines = new Deadlines()
  return (op, path, work, reply) => {
    let answered = false
    let withdraw = (): void => {}
    const finish = (e: unknown, value?: any): void => {
      if (answered) return
      answered = true
      withdraw()
      if (e === undefined) {
        reply(0, value)
        return
      }
      const { errno, why } = errnoOf(e)
      // Keyed by path and errno, not message: messages carry times that change on every call.
      if (why !== undefined) log.warnOnce(`${path}\0${errno}`, `${op} ${path}: ${why}`)
      reply(errno)
    }
    let result
    try {
      result = work()
    } catch (e) {
      finish(e ?? new Error('thrown without a reason'))
      return
    }
    // Work done at once (a read of bytes in memory) is answered at once.
    if (!(result instanceof Promise)) {
      finish(undefined, result)
      return
    }
    const due = Date.now() + deadlineMs
    withdraw = deadlines.add(() => due, () => {
      finish(new InfinError('Unavailable', `no answer within ${deadlineMs} ms (S3 slow or unreachable)`))
    })
    result.then(v => finish(undefined, v), e => finish(e ?? new Error('rejected without a reason')))
  }
}
