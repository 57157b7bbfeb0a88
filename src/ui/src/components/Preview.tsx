import { useState } from 'preact/hooks'
import { objectHead, objectUrl } from '../api'
import { bytes, count, when } from '../format'
import { useAsync } from '../hooks'
import { ErrorBox, Progress } from './feedback'

/** Previews read at most this much: enough to judge a file, never a whole dataset. */
const PREVIEW_BYTES = 256 * 1024
const CSV_ROWS = 200
const IMAGE = /\.(png|jpe?g|gif|webp|bmp|svg)$/i

/** Splits CSV text into rows, honouring quotes (a partial last line is dropped). */
export function parseCsv (text: string, sep: string, complete: boolean): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++ } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === sep) { row.push(cell); cell = '' } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(cell); rows.push(row); row = []; cell = ''
    } else cell += c
  }
  if (complete && (cell !== '' || row.length > 0)) { row.push(cell); rows.push(row) }
  return rows
}

const NUMBER = /^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][-+]?\d+)?%?$/

/** Columns whose every non-empty cell is a number: shown right-aligned, so digits line up. */
export function numericColumns (rows: string[][]): Set<number> {
  const width = Math.max(0, ...rows.map(r => r.length))
  const out = new Set<number>()
  for (let j = 0; j < width; j++) {
    const cells = rows.map(r => (r[j] ?? '').trim()).filter(c => c !== '')
    if (cells.length > 0 && cells.every(c => NUMBER.test(c) && /\d/.test(c))) out.add(j)
  }
  return out
}

function kindOf (name: string): 'image' | 'csv' | 'tsv' | 'json' | 'text' {
  if (IMAGE.test(name)) return 'image'
  if (/\.csv$/i.test(name)) return 'csv'
  if (/\.tsv$/i.test(name)) return 'tsv'
  if (/\.(json|ipynb)$/i.test(name)) return 'json'
  return 'text'
}

function TextPreview ({ bucket, entry, spec }: { bucket: string, entry: PreviewedFile, spec: string }) {
  const kind = kindOf(entry.name)
  const head = useAsync(async () => await objectHead(bucket, entry.key, spec, PREVIEW_BYTES), [bucket, entry.key, spec])
  if (head.error !== undefined) return <ErrorBox error={head.error} />
  // While another version loads, the old one's bytes must not be shown under the new time.
  if (head.value === undefined || head.loading) return <Progress label="Reading the start of the file…" elapsed={head.elapsed} />
  const { data, total } = head.value
  const complete = data.byteLength >= total
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(complete ? data : data.slice(0, data.byteLength - 4))
  } catch {
    return <p class="note">Binary file ({bytes(total)}): no preview. Download it to open it.</p>
  }
  const cut = complete ? null : <p class="note">Showing the first {bytes(data.byteLength)} of {bytes(total)}.</p>
  if (kind === 'csv' || kind === 'tsv') {
    // The whole preview is parsed (at most 256 KiB) to count its rows; a few hundred are drawn.
    const [headRow, ...body] = parseCsv(text, kind === 'csv' ? ',' : '\t', complete)
    const shown = body.slice(0, CSV_ROWS)
    const numeric = numericColumns(shown)
    const rows = `${count(body.length)} row${body.length === 1 ? '' : 's'}`
    return (
      <div class="preview-table">
        <p class="note table-count" role="status">
          {complete ? rows : `${rows} in the first ${bytes(data.byteLength)} of ${bytes(total)}`}
          {headRow !== undefined && `, ${headRow.length} column${headRow.length === 1 ? '' : 's'}`}
          {body.length > CSV_ROWS && `; the first ${CSV_ROWS} shown`}
        </p>
        <table>
          {headRow !== undefined && <thead><tr>{headRow.map((h, i) => <th key={i} class={numeric.has(i) ? 'num' : undefined}>{h}</th>)}</tr></thead>}
          <tbody>{shown.map((r, i) => <tr key={i}>{r.map((c, j) => <td key={j} class={numeric.has(j) ? 'num' : undefined}>{c}</td>)}</tr>)}</tbody>
        </table>
      </div>
    )
  }
  if (kind === 'json' && complete) {
    try {
      return <pre class="preview-text json">{JSON.stringify(JSON.parse(text), null, 2)}</pre>
    } catch (e) {
      return <div><p class="note">Not valid JSON ({(e as Error).message}); shown as text.</p><pre class="preview-text">{text}</pre></div>
    }
  }
  return <div><pre class="preview-text">{text}</pre>{cut}</div>
}

/** Copies text; falls back to a selected text field where the clipboard API is missing. */
async function copy (text: string): Promise<void> {
  if (navigator.clipboard !== undefined) {
    await navigator.clipboard.writeText(text)
    return
  }
  const area = document.createElement('textarea')
  area.value = text
  document.body.appendChild(area)
  area.select()
  document.execCommand('copy')
  area.remove()
}

/** A file to preview: what its listing entry says, or only its key while that page is not fetched. */
export interface PreviewedFile { name: string, key: string, size?: number, lastModified?: string, versionId?: string }

/** One file at the view's time: its facts, a preview, a download, its plain mount path and its S3 URL. */
export function Preview ({ bucket, entry, spec, mountPath, viewName, onClose }: {
  bucket: string
  entry: PreviewedFile
  spec: string
  mountPath: string
  /** The view's canonical spec or label name, as the S3 gateway names views. */
  viewName: string
  onClose: () => void
}) {
  const [copied, setCopied] = useState<string | undefined>()
  const path = `${mountPath}/${entry.name}`
  // What S3 code reads through the gateway: the view as the first key segment, then the real key.
  const s3Url = `s3://${bucket}/@${viewName}/${entry.key}`
  return (
    <aside class="preview" aria-label={`preview of ${entry.name}`}>
      <header>
        <h3 title={entry.key}>{entry.name}</h3>
        <button class="close" onClick={onClose} aria-label="close preview">×</button>
      </header>
      <dl class="facts">
        <dt>Key</dt><dd class="mono">{entry.key}</dd>
        <dt>Size</dt><dd>{bytes(entry.size)}</dd>
        <dt>Modified</dt><dd>{when(entry.lastModified)}</dd>
        <dt>Version</dt><dd class="mono">{entry.versionId}</dd>
      </dl>
      <div class="actions">
        <a class="button primary" href={objectUrl(bucket, entry.key, spec, true)} download={entry.name}>Download this version</a>
        <button onClick={() => { copy(path).then(() => setCopied(path), () => setCopied(undefined)) }}>Copy mount path</button>
        <button onClick={() => { copy(s3Url).then(() => setCopied(s3Url), () => setCopied(undefined)) }}>Copy S3 URL</button>
      </div>
      <p class="mono small" title="the same file in a mounted InfinStor tree">{path}</p>
      <p class="mono small s3-url" title="the same file through the S3 gateway, for boto3, pyarrow, polars…">{s3Url}</p>
      {copied !== undefined && <p class="ok" role="status">Copied: {copied}</p>}
      {kindOf(entry.name) === 'image'
        ? <img class="preview-image" alt={entry.name} src={objectUrl(bucket, entry.key, spec)} />
        : <TextPreview bucket={bucket} entry={entry} spec={spec} />}
    </aside>
  )
}
