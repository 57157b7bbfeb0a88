// The answer cache under the directory cache: one load per key, settled
// answers kept, live ones for the live period, failures never kept.
import t from 'tap'
import { Answers, type Answer } from '../../src/tree/answers.js'

interface V extends Answer { value: string, size: number }

const answer = (value: string, live: boolean, size = 1): V => ({ value, live, size, at: Date.now() })
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

t.test('concurrent asks for one key share one load', async t => {
  const answers = new Answers<V>(100, v => v.size, 1000)
  let loads = 0
  const load = async (): Promise<V> => { loads++; await sleep(20); return answer('a', false) }
  const pending = [answers.get('k', load), answers.get('k', load)]
  t.ok(answers.loads('k'), 'the load is seen as under way')
  const got = await Promise.all(pending)
  t.equal(loads, 1, 'one load')
  t.equal(got[0], got[1], 'both get the same answer')
  t.notOk(answers.loads('k'), 'and none is under way once it is done')
})

t.test('a settled answer is kept past the live period; a live one is loaded again after it', async t => {
  const answers = new Answers<V>(100, v => v.size, 30)
  let loads = 0
  await answers.get('settled', async () => { loads++; return answer('s', false) })
  await answers.get('live', async () => { loads++; return answer('l', true) })
  t.ok(answers.fresh('live'), 'a live answer is good within the live period')
  await sleep(60)
  t.equal((await answers.get('settled', async () => { loads++; return answer('s2', false) })).value, 's', 'the settled answer is still used')
  t.equal(answers.fresh('live'), undefined, 'the live answer is no longer good')
  t.equal(answers.peek('live')?.value, 'l', 'though peek still sees it')
  t.equal((await answers.get('live', async () => { loads++; return answer('l2', true) })).value, 'l2', 'and the next ask loads it again')
  t.equal(loads, 3)
})

t.test('a failed load is not kept: the next ask tries again', async t => {
  const answers = new Answers<V>(100, v => v.size, 1000)
  await t.rejects(answers.get('k', async () => { throw new Error('S3 down') }), /S3 down/)
  t.notOk(answers.loads('k'), 'nothing is left under way')
  t.equal((await answers.get('k', async () => answer('ok', false))).value, 'ok')
})

t.test('the LRU keeps to its size, dropping the least recently used first', async t => {
  const answers = new Answers<V>(10, v => v.size, 1000)
  await answers.get('a', async () => answer('a', false, 4))
  await answers.get('b', async () => answer('b', false, 4))
  answers.fresh('a')
  await answers.get('c', async () => answer('c', false, 4))
  t.ok(answers.peek('a'), 'the recently used one stays')
  t.equal(answers.peek('b'), undefined, 'the least recently used one went')
  answers.delete('a')
  t.equal(answers.peek('a'), undefined, 'delete drops an answer')
})
