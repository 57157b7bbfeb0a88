import { Dialog, showDialog } from '@jupyterlab/apputils'
import { PathExt } from '@jupyterlab/coreutils'
import type { DocumentRegistry, IDocumentWidget } from '@jupyterlab/docregistry'
import { NotebookPanel } from '@jupyterlab/notebook'
import type { Contents } from '@jupyterlab/services'
import { Widget } from '@lumino/widgets'
import { formatSpec } from '../../core/timespec.js'
import { parseViewPath, specOf } from './paths.js'

/**
 * Documents opened from the InfinStor drive: titled with their view,
 * read-only in fact (not only refused on save), and "Save As…" saves a copy
 * to the user's own files, since the drive itself can hold no copy.
 */

const adopted = new WeakSet<DocumentRegistry.Context>()

/** 'bucket @spec' of a drive path, in canonical form when the spec parses. */
export function viewTextOf (localPath: string): { bucket: string, spec: string } {
  const view = parseViewPath(localPath)
  const spec = specOf(view.spec)
  return { bucket: view.bucket, spec: spec === undefined ? view.spec ?? '' : formatSpec(spec) }
}

/**
 * The tab says which view the file is from: two versions of train.csv open
 * side by side must not look alike. JupyterLab renames a document whose tab
 * title is edited; that handler is let go first (a read-only view renames
 * nothing), and the title is left alone if it cannot be.
 */
function titleWithView (widget: IDocumentWidget, spec: string): void {
  const onTitle = (widget as unknown as { _onTitleChanged?: unknown })._onTitleChanged
  if (typeof onTitle !== 'function') return
  if (!widget.title.changed.disconnect(onTitle as () => void, widget)) return
  widget.title.label = `${PathExt.basename(widget.context.localPath)} @${spec}`
}

function lockEditing (widget: IDocumentWidget): void {
  const model = widget.context.model
  model.readOnly = true
  // Running cells of an old notebook is fine; the outputs are not changes anyone can save.
  model.stateChanged.connect((m, change) => {
    if (change.name === 'dirty' && change.newValue === true) m.dirty = false
  })
  if (widget instanceof NotebookPanel) {
    const notebook = widget.content
    const lock = (): void => { for (const cell of notebook.widgets) cell.readOnly = true }
    lock()
    notebook.model?.cells.changed.connect(lock)
    notebook.modelChanged.connect(lock)
    return
  }
  const editor = (widget.content as { editor?: { setOption?: (name: string, value: unknown) => void } }).editor
  editor?.setOption?.('readOnly', true)
}

function readOnlyHint (widget: IDocumentWidget, viewText: string): void {
  widget.addClass('jp-InfinStor-readonlyDoc')
  const hint = new Widget()
  hint.addClass('jp-InfinStor-readonlyHint')
  hint.node.textContent = `InfinStor view ${viewText}: read-only`
  hint.node.title = 'Files from InfinStor views are read-only. File → Save As… keeps an editable copy in your own files.'
  widget.toolbar.insertItem(0, 'infinstor-readonly', hint)
  widget.title.caption = `${widget.title.caption}\nRead-only: InfinStor ${viewText}`.trim()
}

class SaveCopyForm extends Widget implements Dialog.IBodyWidget<string> {
  private readonly input: HTMLInputElement

  constructor (about: string, value: string, error: string | undefined) {
    super()
    this.addClass('jp-InfinStor-saveCopy')
    this.input = Object.assign(document.createElement('input'), { className: 'jp-mod-styled', value })
    this.input.setAttribute('aria-label', 'Path of the copy')
    const text = Object.assign(document.createElement('p'), { textContent: about })
    this.node.append(text, this.input)
    if (error !== undefined) {
      const e = Object.assign(document.createElement('p'), { className: 'jp-InfinStor-saveCopyError', textContent: error })
      e.setAttribute('role', 'alert')
      this.node.append(e)
    }
  }

  getValue (): string { return this.input.value }

  protected onAfterAttach (): void {
    this.input.focus()
    this.input.setSelectionRange(0, this.input.value.lastIndexOf('.') > 0 ? this.input.value.lastIndexOf('.') : this.input.value.length)
  }
}

/**
 * Save As for an InfinStor document: asks for a path in the user's own
 * files (default: the file browser's folder), refuses paths on the drive
 * and names that exist, and copies the version's exact content there.
 * JupyterLab's Save As command then opens the copy in place of the view.
 */
async function saveCopy (context: DocumentRegistry.Context, contents: Contents.IManager, folder: () => string): Promise<boolean> {
  const { bucket, spec } = viewTextOf(context.localPath)
  const about = `Save a copy of ${PathExt.basename(context.localPath)} as it is in ${bucket} @${spec}, in your own files ` +
    '(a path in JupyterLab\'s file browser):'
  let value = PathExt.join(folder(), PathExt.basename(context.localPath))
  let error: string | undefined
  for (;;) {
    const result = await showDialog({
      title: 'Save a Copy As…',
      body: new SaveCopyForm(about, value, error),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Save Copy' })]
    })
    if (!result.button.accept || result.value === null) return false
    value = result.value.trim()
    const path = value.replace(/^\/+/, '')
    error = undefined
    if (path === '') error = 'Type a path for the copy, e.g. train_copy.csv'
    else if (contents.driveName(path) !== '') error = 'InfinStor views are read-only: give a path in your own files, e.g. analysis/train_copy.csv'
    else if (await contents.get(path, { content: false }).then(() => true, () => false)) error = `${path} exists already: choose another name`
    if (error !== undefined) continue
    try {
      const source = await contents.get(context.path, { content: true })
      await contents.save(path, { type: source.type, format: source.format, content: source.content })
      return true
    } catch (e) {
      error = `Cannot save ${path}: ${(e as Error).message}`
    }
  }
}

/** Everything the drive does to a document opened from it. */
export function adoptDocument (widget: IDocumentWidget, contents: Contents.IManager, folder: () => string): void {
  const { bucket, spec } = viewTextOf(widget.context.localPath)
  titleWithView(widget, spec)
  readOnlyHint(widget, `${bucket} @${spec}`)
  const context = widget.context
  void context.ready.then(() => { lockEditing(widget) })
  if (adopted.has(context)) return
  adopted.add(context)
  // The context is shared by every view of the file; its Save As is what File → Save As… calls.
  context.saveAs = async () => await saveCopy(context, contents, folder)
}
