// The read deadline counts from the first attempt: the kernel's retries, and
// its readahead of further parts after a read ran out of time, fail at once
// while S3 still delivers nothing, and wait afresh once it delivers again.
import t from 'tap'
import { FirstAttempts } from '../../src/reader/first-attempt.js'

const DEADLINE = 200
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** A read of `parts` that waits out its whole deadline and fails, as a stalled S3 makes it. */
async function stall (a: FirstAttempts, parts: number[]): Promise<void> {
  const left = a.timeLeft(parts)
  const since = Date.now() + left - DEADLINE
  await sleep(left)
  a.timedOut(since)
}

t.test('a retry of the same part fails at once', async t => {
  const a = new FirstAttempts(DEADLINE)
  await stall(a, [1])
  t.ok(a.timeLeft([1]) <= 0)
})

t.test('after a read ran out of time, a part not waited for yet fails at once while nothing arrived', async t => {
  const a = new FirstAttempts(DEADLINE)
  await stall(a, [1])
  t.ok(a.timeLeft([2, 3]) <= 0, 'the kernel reading further ahead does not wait a second deadline')
  t.ok(a.timeLeft([4], Date.now() - 1000) <= 0, 'nor when the last bytes came before the failure')
})

t.test('once bytes arrive again, new waits get the whole deadline', async t => {
  const a = new FirstAttempts(DEADLINE)
  await stall(a, [1])
  await sleep(5)
  t.ok(a.timeLeft([2], Date.now()) > DEADLINE - 50, 'bytes from S3 since the failure (the cache\'s progress)')
  const b = new FirstAttempts(DEADLINE)
  await stall(b, [1])
  b.arrived([7])
  t.ok(b.timeLeft([2]) > DEADLINE - 50, 'a part of this file arrived since the failure')
})

t.test('a read long after a failure waits afresh', async t => {
  const a = new FirstAttempts(DEADLINE)
  await stall(a, [1])
  await sleep(2 * DEADLINE + 20)
  t.ok(a.timeLeft([2]) > DEADLINE - 50, 'a new part')
  t.ok(a.timeLeft([1]) > DEADLINE - 50, 'and the part that failed')
})
