// Notebook snippets: a reader per extension, and safe Python string literals (pure).
import { execFileSync } from 'node:child_process'
import t from 'tap'
import { pyString, readerExtension, snippetFor } from '../../src/labext/src/snippets.js'

t.test('picks a reader by extension, looking through compression', async t => {
  t.equal(snippetFor('/infinstor/b/@latest/train.csv', false),
    'import pandas as pd\n\ndf = pd.read_csv("/infinstor/b/@latest/train.csv")\ndf.head()')
  t.match(snippetFor('/i/x.tsv', false), 'pd.read_csv("/i/x.tsv", sep="\\t")')
  t.match(snippetFor('/i/x.PARQUET', false), 'pd.read_parquet("/i/x.PARQUET")')
  t.match(snippetFor('/i/x.jsonl', false), 'pd.read_json("/i/x.jsonl", lines=True)')
  t.match(snippetFor('/i/x.csv.gz', false), 'pd.read_csv("/i/x.csv.gz")')
  t.match(snippetFor('/i/x.npy', false), 'np.load("/i/x.npy")')
  t.match(snippetFor('/i/notes.txt', false), 'open("/i/notes.txt", encoding="utf-8")')
  t.match(snippetFor('/i/notes.txt.gz', false), 'open("/i/notes.txt.gz", "rb")', 'compressed text is bytes, not a pandas read')
  t.match(snippetFor('/i/blob', false), 'open("/i/blob", "rb")')
  t.match(snippetFor('/i/b/@latest/q4', true), 'os.listdir("/i/b/@latest/q4")')
  t.equal(readerExtension('a.b.CSV'), 'csv')
  t.equal(readerExtension('noext'), undefined)
})

t.test('paths with quotes, backslashes, newlines and unicode stay one Python string', async t => {
  const odd = '/infinstor/b/@latest/a "quoted" \\ back\nline ünï 文件 \u2028.csv'
  const code = `import sys\nsys.stdout.write(${pyString(odd)})`
  const out = execFileSync('python3', ['-c', code], { encoding: 'utf8' })
  t.equal(out, odd, 'python reads back exactly the path')
})
