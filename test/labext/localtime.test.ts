// Local-time pickers <-> UTC specs (pure; the zone is set per test).
import t from 'tap'
import { fromLocalInput, sliceSpec, snapshotSpec, toLocalInput, zoneLabel } from '../../src/labext/src/localtime.js'

const saved = process.env.TZ
t.teardown(() => { process.env.TZ = saved })

t.test('a picker value in India is 5:30 ahead of UTC', async t => {
  process.env.TZ = 'Asia/Kolkata'
  t.equal(snapshotSpec('2022-12-06T05:30:00'), '2022-12-06T00:00:00Z')
  t.equal(snapshotSpec('2022-12-06T05:30'), '2022-12-06T00:00:00Z', 'seconds are optional')
  t.equal(toLocalInput(Date.UTC(2022, 11, 6)), '2022-12-06T05:30:00')
  t.equal(zoneLabel(Date.UTC(2022, 11, 6)), 'UTC+05:30')
})

t.test('round trips across a DST change (New York)', async t => {
  process.env.TZ = 'America/New_York'
  for (const t0 of [Date.UTC(2024, 2, 10, 6, 59, 59), Date.UTC(2024, 2, 10, 7, 0, 1), Date.UTC(2024, 10, 3, 12, 0, 0)]) {
    t.equal(fromLocalInput(toLocalInput(t0)), t0)
  }
  t.equal(zoneLabel(Date.UTC(2024, 0, 1)), 'UTC-05:00')
  t.equal(zoneLabel(Date.UTC(2024, 6, 1)), 'UTC-04:00')
})

t.test('slices are ordered and canonical; partial input is refused', async t => {
  process.env.TZ = 'UTC'
  t.equal(sliceSpec('2022-12-01T00:00:00', '2022-12-06T00:00:30'), '2022-12-01T00:00:00Z..2022-12-06T00:00:30Z')
  t.throws(() => sliceSpec('2022-12-06T00:00:00', '2022-12-01T00:00:00'), /start before/)
  t.throws(() => sliceSpec('2022-12-06T00:00:00', '2022-12-06T00:00:00'), /start before/)
  t.throws(() => sliceSpec('', '2022-12-01T00:00:00'), /both ends/)
  t.throws(() => snapshotSpec(''), /pick a date/)
  t.equal(fromLocalInput('2022-12-06'), undefined)
  t.equal(fromLocalInput('garbage'), undefined)
})
