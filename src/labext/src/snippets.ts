/**
 * Code that reads a file from the mount, picked by its extension. With the
 * kernel helper (it comes with the server extension) the code names the view
 * (`infinstor.path("sales/train.csv", at="train-v3")`) and the read lands in
 * the notebook's lineage; without it, the snippet is the plain mount path,
 * which runs in any kernel on the machine that has the mount.
 */

/** A Python string literal for any text (JSON's escapes are valid Python). */
export function pyString (text: string): string {
  return JSON.stringify(text)
}

type Reader = (p: string) => string

const pandas = (call: string): Reader => p => `import pandas as pd\n\ndf = pd.${call.replace('$', () => p)}\ndf.head()`
const openText: Reader = p => `with open(${p}, encoding="utf-8") as f:\n    text = f.read()`
const openBytes: Reader = p => `with open(${p}, "rb") as f:\n    data = f.read()`

const READERS: Record<string, Reader> = {
  csv: pandas('read_csv($)'),
  tsv: pandas('read_csv($, sep="\\t")'),
  tab: pandas('read_csv($, sep="\\t")'),
  parquet: pandas('read_parquet($)'),
  pq: pandas('read_parquet($)'),
  feather: pandas('read_feather($)'),
  orc: pandas('read_orc($)'),
  json: pandas('read_json($)'),
  jsonl: pandas('read_json($, lines=True)'),
  ndjson: pandas('read_json($, lines=True)'),
  xlsx: pandas('read_excel($)'),
  xls: pandas('read_excel($)'),
  pkl: pandas('read_pickle($)'),
  pickle: pandas('read_pickle($)'),
  h5: pandas('read_hdf($)'),
  hdf5: pandas('read_hdf($)'),
  npy: p => `import numpy as np\n\narr = np.load(${p})`,
  npz: p => `import numpy as np\n\narrays = np.load(${p})`,
  png: p => `from PIL import Image\n\nimg = Image.open(${p})\nimg`,
  jpg: p => `from PIL import Image\n\nimg = Image.open(${p})\nimg`,
  jpeg: p => `from PIL import Image\n\nimg = Image.open(${p})\nimg`,
  gif: p => `from PIL import Image\n\nimg = Image.open(${p})\nimg`,
  webp: p => `from PIL import Image\n\nimg = Image.open(${p})\nimg`,
  txt: openText,
  md: openText,
  log: openText,
  yaml: openText,
  yml: openText,
  toml: openText,
  ipynb: p => `import json\n\nwith open(${p}, encoding="utf-8") as f:\n    nb = json.load(f)`
}

/** Compression that pandas detects from the name, so `x.csv.gz` still reads as CSV. */
const COMPRESSED = new Set(['gz', 'bz2', 'xz', 'zst', 'zip'])
const PANDAS_TEXT = new Set(['csv', 'tsv', 'tab', 'json', 'jsonl', 'ndjson', 'pkl', 'pickle'])

/** The extension whose reader fits `name`, looking through compression where pandas does. */
export function readerExtension (name: string): string | undefined {
  const parts = name.toLowerCase().split('.').slice(1)
  const ext = parts.pop()
  if (ext === undefined || !COMPRESSED.has(ext)) return ext
  const inner = parts.pop()
  return inner !== undefined && PANDAS_TEXT.has(inner) ? inner : undefined
}

/** The cell for a path expression (Python) naming `name`, a file or a directory. */
function cellFor (expr: string, name: string, isDirectory: boolean): string {
  if (isDirectory) return `import os\n\nfiles = sorted(os.listdir(${expr}))\nfiles`
  const ext = readerExtension(name.split('/').pop() ?? '')
  const reader = ext === undefined ? undefined : READERS[ext]
  return (reader ?? openBytes)(expr)
}

/** A notebook cell that loads `mountPath` (a file, or a directory's listing). */
export function snippetFor (mountPath: string, isDirectory: boolean): string {
  return cellFor(pyString(mountPath), mountPath, isDirectory)
}

/** The same cell through the kernel helper: `path` is relative to the view of `bucket` at `spec`. */
export function helperSnippetFor (bucket: string, path: string, spec: string, isDirectory: boolean): string {
  const target = pyString(path === '' ? bucket : `${bucket}/${path}`)
  const expr = spec === 'latest' ? `infinstor.path(${target})` : `infinstor.path(${target}, at=${pyString(spec)})`
  const body = cellFor(expr, path === '' ? bucket : path, isDirectory)
  return `import infinstor\n${body.startsWith('import ') ? '' : '\n'}${body}`
}
