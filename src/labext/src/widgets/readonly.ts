import type { IDocumentWidget } from '@jupyterlab/docregistry'
import { Widget } from '@lumino/widgets'

/**
 * Marks a document opened from the InfinStor drive as read-only, in its
 * toolbar and tab: JupyterLab already refuses to save it (the server says
 * writable: false), and this says why before anyone tries.
 */
export function markReadOnly (widget: IDocumentWidget, viewText: string): void {
  widget.addClass('jp-InfinStor-readonlyDoc')
  const hint = new Widget()
  hint.addClass('jp-InfinStor-readonlyHint')
  hint.node.textContent = `InfinStor view ${viewText}: read-only`
  hint.node.title = 'Files from InfinStor views are read-only. Use File → Save As… to keep an editable copy elsewhere.'
  widget.toolbar.insertItem(0, 'infinstor-readonly', hint)
  widget.title.caption = `${widget.title.caption}\nRead-only: InfinStor ${viewText}`.trim()
}
