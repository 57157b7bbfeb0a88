/** Media types by file extension, for the contents API's models and the dashboard's downloads. */
const MIME: Record<string, string> = {
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  jsonl: 'application/jsonl',
  ndjson: 'application/x-ndjson',
  ipynb: 'application/x-ipynb+json',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  xml: 'application/xml',
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  js: 'text/javascript',
  py: 'text/x-python',
  r: 'text/x-r',
  sh: 'text/x-sh',
  sql: 'application/sql',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  bmp: 'image/bmp',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  parquet: 'application/vnd.apache.parquet',
  npy: 'application/octet-stream',
  pt: 'application/octet-stream'
}

/** The MIME type a file's extension suggests, or undefined. */
export function guessMimetype (name: string): string | undefined {
  const dot = name.lastIndexOf('.')
  return dot <= 0 ? undefined : MIME[name.slice(dot + 1).toLowerCase()]
}
