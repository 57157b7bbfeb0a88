import type { JupyterFrontEnd } from '@jupyterlab/application'
import type { IDocumentManager } from '@jupyterlab/docmanager'
import { FileBrowser, FilterFileBrowserModel } from '@jupyterlab/filebrowser'
import { ContextMenu } from '@lumino/widgets'
import { DRIVE_NAME } from './model.js'

export const BROWSER_ID = 'infinstor-filebrowser'

/** The browser's own menu: reading actions only; the drive is read-only. */
export const MENU_COMMANDS = [
  'infinstor:open', 'infinstor:versions', 'infinstor:compare-previous',
  'infinstor:copy-path', 'infinstor:copy-s3-url', 'infinstor:insert-snippet', 'infinstor:download'
] as const

/**
 * JupyterLab's file-browser shortcuts act on the file browser that had focus
 * last, which this one never becomes (see createBrowser): in it they would
 * act on the user's own files. These keys are stopped here; Backspace and
 * select-all are done for this browser instead.
 */
const GUARDED = new Set(['Delete', 'F2'])
const GUARDED_ACCEL = new Set(['c', 'x', 'v', 'd', 'a'])

/**
 * A file browser on the InfinStor drive, made directly rather than by
 * JupyterLab's file-browser factory. The factory's browsers are tracked, and
 * the last one focused is where JupyterLab and its extensions put new files
 * (the launcher, File → New, new notebooks): after a click in this browser,
 * every new file would go to the read-only drive. Untracked, this browser is
 * never that place; JupyterLab's own file commands and context menu, which
 * act on the tracked browser, are replaced here by the InfinStor ones.
 */
export function createBrowser (app: JupyterFrontEnd, manager: IDocumentManager): FileBrowser {
  const model = new FilterFileBrowserModel({
    manager,
    driveName: DRIVE_NAME,
    refreshInterval: 30_000,
    refreshStandby: 'when-hidden',
    allowFileUploads: false
  })
  const browser = new FileBrowser({ id: BROWSER_ID, model, restore: false })
  browser.showFileSizeColumn = true
  browser.showLastModifiedColumn = true

  const menu = new ContextMenu({ commands: app.commands })
  for (const [rank, command] of MENU_COMMANDS.entries()) menu.addItem({ command, selector: '.jp-DirListing-item', rank })
  const node = browser.node
  node.addEventListener('contextmenu', event => {
    // Shift+right-click gives the browser's own menu, as everywhere in JupyterLab.
    if (event.shiftKey) return
    event.preventDefault()
    event.stopPropagation()
    menu.open(event)
  })
  node.addEventListener('keydown', event => {
    const accel = event.ctrlKey || event.metaKey
    const key = event.key.toLowerCase()
    if (!(GUARDED.has(event.key) || (accel && !event.shiftKey && GUARDED_ACCEL.has(key)) || event.key === 'Backspace')) return
    if ((event.target as HTMLElement).closest('input, textarea') !== null) return
    event.preventDefault()
    event.stopPropagation()
    if (event.key === 'Backspace') void browser.goUp()
    if (accel && key === 'a') void browser.selectAll()
  })
  // Dragging within the drive would move files; the drive cannot (dragging out to a notebook still works).
  for (const type of ['lm-dragenter', 'lm-dragover', 'lm-drop']) {
    node.addEventListener(type, event => { event.stopPropagation() }, true)
  }
  return browser
}
