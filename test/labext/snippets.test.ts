// Notebook snippets: a reader per extension, and safe Python string literals (pure).
import { execFileSync } from 'node:child_process'
import t from 'tap'
import { helperSnippetFor, pyString, readerExtension, snippetFor } from '../../src/labext/src/snippets.js'

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

t.test('through the kernel helper, the view is named in the code', async t => {
  t.equal(helperSnippetFor('sales', 'q4/train.csv', '2022-12-06T00:00:00Z', false),
    'import infinstor\nimport pandas as pd\n\ndf = pd.read_csv(infinstor.path("sales/q4/train.csv", at="2022-12-06T00:00:00Z"))\ndf.head()')
  t.equal(helperSnippetFor('sales', 'notes.txt', 'latest', false),
    'import infinstor\n\nwith open(infinstor.path("sales/notes.txt"), encoding="utf-8") as f:\n    text = f.read()')
  t.match(helperSnippetFor('sales', '', 'train-v3', true), 'os.listdir(infinstor.path("sales", at="train-v3"))')
  t.match(helperSnippetFor('sales', 'a$&b.csv', 'latest', false), 'infinstor.path("sales/a$&b.csv")', 'a $ in a key is not a replacement pattern')
})
