import { Dialog } from '@jupyterlab/apputils'
import { Widget } from '@lumino/widgets'
import { formatInstant } from '../../../core/timespec.js'
import { localText } from '../localtime.js'
import { previousOf, type VersionRow } from '../versions.js'

export interface VersionActions {
  open: (row: VersionRow) => Promise<void>
  /** Opens `row` with the version before it beside it. */
  compare: (row: VersionRow, previous: VersionRow) => Promise<void>
}

function cell (text: string, className = ''): HTMLTableCellElement {
  return Object.assign(document.createElement('td'), { textContent: text, className })
}

function size (n: number): string {
  return n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`
}

/**
 * A file's versions, newest first, each with its time in UTC and in the
 * browser's zone, its size and version id, and buttons to open it or to
 * open it beside the version before it.
 */
class VersionTable extends Widget {
  constructor (about: string, rows: readonly VersionRow[], act: (run: () => Promise<void>) => void, actions: VersionActions) {
    super()
    this.addClass('jp-InfinStor-versions')
    const table = document.createElement('table')
    const head = document.createElement('tr')
    for (const h of ['Time (UTC)', 'Your time', 'Size', 'Version id', '']) head.append(Object.assign(document.createElement('th'), { textContent: h }))
    table.append(head)
    rows.forEach((row, i) => {
      const tr = document.createElement('tr')
      tr.className = 'jp-InfinStor-version' + (row.current ? ' jp-mod-current' : '') + (row.deleted ? ' jp-mod-deleted' : '')
      tr.dataset.versionId = row.versionId
      tr.dataset.time = formatInstant(row.t)
      const actionsCell = cell('', 'jp-InfinStor-versionActions')
      if (row.reachable) {
        const open = Object.assign(document.createElement('button'), { type: 'button', className: 'jp-mod-styled jp-InfinStor-openVersion', textContent: 'Open' })
        open.addEventListener('click', () => { act(async () => await actions.open(row)) })
        actionsCell.append(open)
        const previous = previousOf(rows, i)
        if (previous !== undefined) {
          const compare = Object.assign(document.createElement('button'), {
            type: 'button', className: 'jp-mod-styled jp-InfinStor-compareVersion', textContent: 'Compare with previous',
            title: `Open this version beside the one of ${formatInstant(previous.t)}`
          })
          compare.addEventListener('click', () => { act(async () => await actions.compare(row, previous)) })
          actionsCell.append(compare)
        }
      } else if (!row.deleted) {
        actionsCell.textContent = 'written in the same second as a newer version: no time shows it'
      }
      tr.append(cell(formatInstant(row.t) + (row.current ? '  (in this view)' : '')), cell(localText(row.t)),
        cell(row.deleted ? 'deleted' : size(row.size)), cell(row.versionId, 'jp-InfinStor-versionId'), actionsCell)
      table.append(tr)
    })
    this.node.append(Object.assign(document.createElement('p'), { textContent: about }), table)
  }
}

/** Shows the version list; a row's button closes it and opens what it says. */
export function showVersionList (title: string, about: string, rows: readonly VersionRow[], actions: VersionActions): void {
  let dialog: Dialog<unknown> | undefined
  const act = (run: () => Promise<void>): void => {
    dialog?.reject()
    void run()
  }
  dialog = new Dialog({ title, body: new VersionTable(about, rows, act, actions), buttons: [Dialog.okButton({ label: 'Close' })] })
  dialog.addClass('jp-InfinStor-versionDialog')
  void dialog.launch()
}
