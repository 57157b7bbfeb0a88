// Many deadlines on one timer: each expires at its time and not before, in
// order, a withdrawn one never does, a deadline that moves later is asked
// again, an expiry may add another, and the timer holds the process open
// only while a deadline is pending. Times are checked as lower bounds only:
// a loaded machine runs timers late.
import t from 'tap'
import { Deadlines } from '../../src/reader/deadlines.js'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
/** Timers that keep this process alive (Node lists only those). */
const liveTimers = (): number => process.getActiveResourcesInfo().filter(r => r === 'Timeout').length

async function until (done: () => boolean): Promise<void> {
  for (const end = Date.now() + 10_000; !done() && Date.now() < end;) await sleep(10)
}

t.test('each deadline expires at its time, in order of time, and a withdrawn one never', async t => {
  const d = new Deadlines()
  const start = Date.now()
  const fired: Array<[string, number]> = []
  const at = (name: string, ms: number): () => void => d.add(() => start + ms, () => { fired.push([name, Date.now() - start]) })
  at('late', 240)
  at('early', 60)
  const withdraw = at('withdrawn', 120)
  at('middle', 150)
  withdraw()
  withdraw()
  await until(() => d.size === 0)
  await sleep(150)
  t.same(fired.map(f => f[0]), ['early', 'middle', 'late'])
  for (const [name, ms] of fired) {
    const want = { early: 60, middle: 150, late: 240 }[name] as number
    t.ok(ms >= want, `${name} expired at ${ms} ms, not before ${want}`)
  }
})

t.test('a deadline that moves later is asked again when the timer fires', async t => {
  const d = new Deadlines()
  const start = Date.now()
  let moved = false
  let expiredAt: number | undefined
  // The timer is armed for the first time; by then the deadline has moved.
  d.add(() => moved ? start + 150 : start + 30, () => { expiredAt = Date.now() - start })
  moved = true
  await until(() => expiredAt !== undefined)
  t.ok(expiredAt !== undefined && expiredAt >= 150, `expired at ${String(expiredAt)} ms, at its new time (150) or after`)
})

t.test('an expiry may add a deadline, which then expires in its turn', async t => {
  const d = new Deadlines()
  const fired: string[] = []
  d.add(() => Date.now() - 1, () => {
    fired.push('first')
    const due = Date.now() + 30
    d.add(() => due, () => { fired.push('added by the first') })
  })
  await until(() => fired.length === 2)
  t.same(fired, ['first', 'added by the first'])
})

t.test('the timer holds the process open only while a deadline is pending', async t => {
  const before = liveTimers()
  const d = new Deadlines()
  const withdraw = d.add(() => Date.now() + 60_000, () => {})
  t.equal(liveTimers(), before + 1, 'a pending deadline holds the process')
  withdraw()
  t.equal(liveTimers(), before, 'once withdrawn, its armed timer holds nothing')
  const again = d.add(() => Date.now() + 60_000, () => {})
  t.equal(liveTimers(), before + 1, 'a new deadline holds it again')
  again()
  const loose = new Deadlines(false)
  const pause = loose.add(() => Date.now() + 60_000, () => {})
  t.equal(liveTimers(), before, 'deadlines made not to hold the process never do')
  pause()
})
