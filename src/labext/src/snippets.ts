/**
 * Code that reads a file from the mount, picked by its extension. The
 * snippet uses the plain mount path, so it runs unchanged in any kernel on
 * the machine that has the mount, with no InfinStor code imported.
 */

/** A Python string literal for any text (JSON's escapes are valid Python). */
export function pyString (text: string): string {
  return JSON.stringify(text)
}

type Reader = (p: string) => string

const pandas = (call: string): Reader => p => `import pandas as pd\n\ndf = pd.${call.replace('$', p)}\ndf.head()`
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

/** A notebook cell that loads `mountPath` (a file, or a directory's listing). */
export function snippetFor (mountPath: string, isDirectory: boolean): string {
  const p = pyString(mountPath)
  if (isDirectory) return `import os\n\nfiles = sorted(os.listdir(${p}))\nfiles`
  const name = mountPath.split('/').pop() ?? ''
  const ext = readerExtension(name)
  const reader = ext === undefined ? undefined : READERS[ext]
  return (reader ?? openBytes)(p)
}
