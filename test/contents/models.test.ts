// Contents models, formats and query parsing: pure units (no S3).
import t from 'tap'
import { InfinError } from '../../src/core/errors.js'
import { bareModel, directoryModel, fileModel, sha256 } from '../../src/contents/models.js'
import { guessMimetype } from '../../src/server/mime.js'
import { parseGetOptions, splitPath } from '../../src/contents/query.js'
import type { ContentsEntry } from '../../src/contents/entries.js'
import type { Version } from '../../src/core/versions.js'

const T = Date.UTC(2024, 0, 2, 3, 4, 5)

function file (name: string, size: number): ContentsEntry {
  const version: Version = { key: name, versionId: 'v', lastModified: T, size, etag: '"e"', deleteMarker: false, isLatest: true }
  return { kind: 'file', name, size, mtime: T, version }
}

const dir: ContentsEntry = { kind: 'dir', name: 'd', mtime: T }
const opts = { content: true, hash: false }

function code (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return e instanceof InfinError ? e.code : 'other'
  }
  return undefined
}

t.test('query options follow Jupyter', async t => {
  t.same(parseGetOptions(new URLSearchParams('')), { content: true, hash: false, type: undefined, format: undefined })
  t.same(parseGetOptions(new URLSearchParams('content=0&hash=1&type=file&format=base64&1700000000')),
    { content: false, hash: true, type: 'file', format: 'base64' }, 'a bare cache-buster is ignored')
  t.equal(code(() => parseGetOptions(new URLSearchParams('type=folder'))), 'Usage')
  t.equal(code(() => parseGetOptions(new URLSearchParams('format=json'))), 'Usage', 'Jupyter accepts only text and base64')
  t.same(splitPath('b/%40latest/a%20b/'), ['b', '@latest', 'a b'])
  t.same(splitPath(undefined), [])
  t.same(splitPath('x/a%2Fb'), ['x', 'a/b'], 'an encoded slash stays inside its segment')
  t.equal(code(() => splitPath('bad%zz')), 'Usage')
})

t.test('models carry the fields the Drive validates', async t => {
  const m = bareModel(file('a.csv', 3), 'b/@latest/a.csv')
  t.same(m, {
    name: 'a.csv', path: 'b/@latest/a.csv', type: 'file', writable: false, content: null, format: null,
    created: '2024-01-02T03:04:05.000Z', last_modified: '2024-01-02T03:04:05.000Z', mimetype: 'text/csv', size: 3
  })
  t.equal(bareModel(file('n.ipynb', 3), 'n.ipynb').type, 'notebook')
  t.equal(bareModel(file('n.ipynb', 3), 'n.ipynb').mimetype, null)
  const d = directoryModel(dir, 'd', [{ entry: file('x.bin', 1), path: 'd/x.bin' }, { entry: dir, path: 'd/d' }])
  t.equal(d.format, 'json')
  t.same((d.content as Array<{ name: string, type: string, content: unknown }>).map(c => [c.name, c.type, c.content]),
    [['x.bin', 'file', null], ['d', 'directory', null]])
  t.equal(d.size, null)
})

t.test('text, base64 and notebooks', async t => {
  const text = fileModel(file('a.txt', 5), 'a.txt', Buffer.from('héllo'.normalize('NFC')), opts)
  t.equal(text.format, 'text')
  t.equal(text.content, 'héllo')
  t.equal(text.mimetype, 'text/plain')
  const bin = Buffer.from([0xff, 0xfe, 0x00, 0x80])
  const b = fileModel(file('a.dat', 4), 'a.dat', bin, opts)
  t.equal(b.format, 'base64', 'bytes that are not UTF-8 come as base64')
  t.equal(b.content, bin.toString('base64'))
  t.equal(b.mimetype, 'application/octet-stream')
  t.equal(fileModel(file('a.txt', 5), 'a.txt', Buffer.from('hello'), { ...opts, format: 'base64' }).content,
    Buffer.from('hello').toString('base64'), 'base64 when asked, even for text')
  t.equal(code(() => fileModel(file('a.dat', 4), 'a.dat', bin, { ...opts, format: 'text' })), 'Usage', 'text of binary is a 400')
  const bom = Buffer.from([0xef, 0xbb, 0xbf, 0x41])
  t.equal(fileModel(file('bom.txt', 4), 'bom.txt', bom, opts).content, '\ufeffA', 'a BOM is kept, so bytes round-trip')

  const nb = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'markdown', source: 'hi', metadata: {} }] }
  const n = fileModel(file('n.ipynb', 10), 'n.ipynb', Buffer.from(JSON.stringify(nb)), opts)
  t.same([n.type, n.format, n.mimetype, n.content], ['notebook', 'json', null, nb])
  t.equal(fileModel(file('n.ipynb', 10), 'n.ipynb', Buffer.from(JSON.stringify(nb)), { ...opts, format: 'base64' }).format,
    'json', 'format is ignored for notebooks, as in Jupyter')
  t.equal(fileModel(file('n.ipynb', 10), 'n.ipynb', Buffer.from('{'), { ...opts, type: 'file' }).format, 'text',
    'a broken notebook still opens as a file')
  t.equal(code(() => fileModel(file('n.ipynb', 1), 'n.ipynb', Buffer.from('{'), opts)), 'Usage', 'invalid JSON is a 400')
  t.equal(code(() => fileModel(file('n.ipynb', 1), 'n.ipynb', Buffer.from('{"nbformat":3,"worksheets":[]}'), opts)), 'Usage')
  t.equal(code(() => fileModel(file('x.json', 1), 'x.json', Buffer.from('[]'), { ...opts, type: 'notebook' })), 'Usage')
})

t.test('mimetypes and hashes', async t => {
  t.equal(guessMimetype('Photo.PNG'), 'image/png')
  t.equal(guessMimetype('.hidden'), undefined)
  t.equal(guessMimetype('noext'), undefined)
  t.equal(sha256(Buffer.from('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
})
