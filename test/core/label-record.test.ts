// Label names and the stored JSON form (pure).
import t from 'tap'
import { isInfinError } from '../../src/core/errors.js'
import {
  checkLabelName, labelJson, labelLinkPath, labelRecord, labelTargetText, localFileText, parseLabelRecord, parseLocalFile,
  parseStoredJson, type Label
} from '../../src/core/label-record.js'
import { parseInstant } from '../../src/core/timespec.js'

const T = parseInstant('2022-12-06T00:00:00Z')
const label: Label = {
  name: 'train-v3', bucket: 'sales', prefix: 'q4/', spec: { kind: 'at', t: T },
  createdAt: T + 3_600_000, creator: 'ann@box', description: 'what model v3 saw'
}

function code (fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (e) {
    return isInfinError(e) ? e.code : 'not an InfinError'
  }
}

t.test('valid names', async t => {
  for (const name of ['a', 'train-v3', 'Model_2.final', '9lives', 'x'.repeat(128), 'tmx', 'lately']) {
    t.equal(checkLabelName(name), name, name)
  }
})

t.test('invalid names say why', async t => {
  for (const name of ['', '-lead', '.hidden', '_x', 'a/b', 'sp ace', 'ü', 'x'.repeat(129), 'a@b']) {
    t.throws(() => checkLabelName(name), { code: 'BadSpec', message: /not a valid label name: use 1 to 128 characters/ }, JSON.stringify(name))
  }
})

t.test('names that look like times are refused as such', async t => {
  for (const name of ['latest', '2022-12-06', '2022-12-06-run', 'tm20221206000000', 'tm1', 'a..b']) {
    t.throws(() => checkLabelName(name), { code: 'BadSpec', message: /looks like a time/ }, name)
  }
})

t.test('a record round-trips in canonical form', async t => {
  const r = labelRecord(label)
  t.same(r, {
    name: 'train-v3', bucket: 'sales', prefix: 'q4/', spec: '2022-12-06T00:00:00Z',
    createdAt: '2022-12-06T01:00:00Z', creator: 'ann@box', description: 'what model v3 saw'
  })
  t.same(parseLabelRecord(JSON.parse(JSON.stringify(r)), 'here'), label)
  const slice: Label = { ...label, prefix: '', spec: { kind: 'slice', from: T, to: T + 1500 } }
  delete slice.description
  t.same(parseLabelRecord(labelRecord(slice), 'here'), slice)
  t.equal(labelRecord(slice).spec, '2022-12-06T00:00:00Z..2022-12-06T00:00:01.500Z')
  t.equal(labelTargetText(label), 's3://sales/q4/@2022-12-06T00:00:00Z')
  t.equal(labelLinkPath(label), 'sales/@2022-12-06T00:00:00Z/q4')
  t.same(labelJson(label), { ...r, target: 's3://sales/q4/@2022-12-06T00:00:00Z' })
  t.equal(labelLinkPath(slice), 'sales/@2022-12-06T00:00:00Z..2022-12-06T00:00:01.500Z')
})

t.test('corrupt records are refused with the reason', async t => {
  const good = labelRecord(label) as unknown as Record<string, unknown>
  const cases: Array<[string, unknown, RegExp]> = [
    ['not an object', [1], /not a JSON object/],
    ['no name', { ...good, name: undefined }, /no text field 'name'/],
    ['bad name', { ...good, name: 'a/b' }, /not a valid label name/],
    ['time name', { ...good, name: 'latest' }, /looks like a time/],
    ['bad bucket', { ...good, bucket: 'No_Such' }, /not a valid bucket name/],
    ['prefix without slash', { ...good, prefix: 'q4' }, /does not end in '\/'/],
    ['latest spec', { ...good, spec: 'latest' }, /not a canonical time or slice/],
    ['label spec', { ...good, spec: 'other' }, /not a canonical time or slice/],
    ['non-canonical spec', { ...good, spec: '2022-12-06' }, /not a canonical time or slice/],
    ['garbage spec', { ...good, spec: '2022-13-45T00:00:00Z' }, /bad spec/],
    ['bad createdAt', { ...good, createdAt: 'yesterday' }, /bad createdAt/],
    ['empty creator', { ...good, creator: '' }, /empty creator/],
    ['numeric description', { ...good, description: 5 }, /no text field 'description'/],
    ['unknown field', { ...good, owner: 'x' }, /unknown fields: owner/]
  ]
  for (const [what, value, message] of cases) {
    t.throws(() => parseLabelRecord(value, 'STORE'), { code: 'Corrupt', message }, what)
    t.throws(() => parseLabelRecord(value, 'STORE'), { message: /label store STORE is corrupt/ }, what)
  }
})

t.test('stored text: empty, cut off, or not JSON is corrupt, never empty', async t => {
  t.throws(() => parseStoredJson('', 'F'), { code: 'Corrupt', message: /is empty \(a partly written store\?\)/ })
  t.throws(() => parseStoredJson('  \n', 'F'), { code: 'Corrupt' })
  const full = localFileText([{ label }])
  t.throws(() => parseLocalFile(full.slice(0, full.length / 2), 'F'), { code: 'Corrupt', message: /not valid JSON/ })
  t.throws(() => parseLocalFile('{}', 'F'), { code: 'Corrupt', message: /format/ })
  t.throws(() => parseLocalFile('{"format":"infinstor-labels/1"}', 'F'), { code: 'Corrupt', message: /lacks/ })
  const twice = JSON.parse(localFileText([{ label }])) as { labels: unknown[] }
  twice.labels.push(twice.labels[0])
  t.throws(() => parseLocalFile(JSON.stringify(twice), 'F'), { code: 'Corrupt', message: /appears twice/ })
  t.equal(code(() => parseLocalFile('[]', 'F')), 'Corrupt')
})

t.test('the local file keeps deleted labels with their record', async t => {
  const other: Label = { ...label, name: 'old', description: undefined }
  delete other.description
  const deleted = { name: 'old', deletedAt: T + 7200_000, deletedBy: 'bob@box' }
  const back = parseLocalFile(localFileText([{ label }, { label: other, deleted }]), 'F')
  t.same(back, [{ label }, { label: other, deleted }])
  const bad = JSON.parse(localFileText([{ label: other, deleted }])) as { deleted: Array<{ deleted: { name: string } }> }
  bad.deleted[0].deleted.name = 'else'
  t.throws(() => parseLocalFile(JSON.stringify(bad), 'F'), { code: 'Corrupt', message: /names 'else'/ })
})
