import t from 'tap'
import { isInfinError } from '../../src/core/errors.js'
import { formatInstant, formatSpec, isLabelName, parseInstant, parseSpec } from '../../src/core/timespec.js'

const NOW = Date.UTC(2026, 0, 1)
const canon = (text: string): string => formatSpec(parseSpec(text, NOW))

t.test('accepted forms and their canonical form', async t => {
  t.equal(canon('2022-12-06T00:00:00Z'), '2022-12-06T00:00:00Z')
  t.equal(canon('2022-12-06t00:00:00z'), '2022-12-06T00:00:00Z')
  t.equal(canon('2022-12-06T05:30:00+05:30'), '2022-12-06T00:00:00Z', 'offsets convert to UTC')
  t.equal(canon('2022-12-05T19:00:00-0500'), '2022-12-06T00:00:00Z')
  t.equal(canon('2022-12-06T10:15Z'), '2022-12-06T10:15:00Z', 'minutes only')
  t.equal(canon('2022-12-06T10:15:30.25Z'), '2022-12-06T10:15:30.250Z', 'fractional seconds')
  t.equal(canon('2022-12-06T10:15:30.123456789Z'), '2022-12-06T10:15:30.123Z', 'nanoseconds truncate to ms')
  t.equal(canon('2022-12-06'), '2022-12-06T00:00:00Z', 'a date is midnight UTC')
  t.equal(canon('tm20221206000000'), '2022-12-06T00:00:00Z')
  t.equal(canon('tm20221206000000-tm20221207120000'), '2022-12-06T00:00:00Z..2022-12-07T12:00:00Z')
  t.equal(canon('2022-12-06..2022-12-07T00:00:00+01:00'), '2022-12-06T00:00:00Z..2022-12-06T23:00:00Z')
  t.equal(canon('latest'), 'latest')
  t.same(parseSpec('train-v3', NOW), { kind: 'label', name: 'train-v3' })
  t.equal(canon(canon('2022-12-06T05:30:00+05:30')), '2022-12-06T00:00:00Z', 'canonical forms parse to themselves')
})

t.test('rejections name the problem and list the accepted forms', async t => {
  const rejects = (text: string, code: string, why: RegExp): void => {
    try {
      parseSpec(text, NOW)
      t.fail(`accepted ${text}`)
    } catch (e) {
      t.ok(isInfinError(e, code as never), `${text}: ${code}`)
      t.match((e as Error).message, why, text)
      if (code === 'BadSpec') t.match((e as Error).message, /tm20221206000000/, 'lists the accepted forms')
    }
  }
  rejects('2022-12-06T00:00:00', 'BadSpec', /without Z or an offset/)
  rejects('2022-12-06T00:00', 'BadSpec', /without Z or an offset/)
  rejects('2022-02-30', 'BadSpec', /no such date/)
  rejects('2022-12-06T24:00:00Z', 'BadSpec', /no such date/)
  rejects('tm2022120600000', 'BadSpec', /not a recognised time/)
  rejects('2022-12-07..2022-12-06', 'BadSpec', /start before its end/)
  rejects('2022-12-06..2022-12-06', 'BadSpec', /start before its end/)
  rejects('tm20221207000000-tm20221206000000', 'BadSpec', /start before its end/)
  rejects('a..b..c', 'BadSpec', /exactly one/)
  rejects('2099-01-01', 'FutureTime', /in the future/)
  rejects('2022-12-06..2099-01-01', 'FutureTime', /in the future/)
  rejects('-bad', 'BadSpec', /not a recognised time/)
  rejects('1969-12-31', 'BadSpec', /no such date/)
})

t.test('label names never look like times', async t => {
  t.ok(isLabelName('train-v3'))
  t.ok(isLabelName('a'))
  t.notOk(isLabelName('latest'))
  t.notOk(isLabelName('2022-12-06'))
  t.notOk(isLabelName('tm20221206000000'))
  t.notOk(isLabelName('v1..v2'))
  t.notOk(isLabelName('-x'))
  t.notOk(isLabelName('x'.repeat(129)))
})

t.test('instants', async t => {
  t.equal(parseInstant('1970-01-01T00:00:01Z'), 1000)
  t.equal(formatInstant(1500), '1970-01-01T00:00:01.500Z')
})
