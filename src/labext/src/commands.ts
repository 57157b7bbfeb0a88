import type { JupyterFrontEnd } from '@jupyterlab/application'
import { Clipboard, Notification } from '@jupyterlab/apputils'
import type { FileBrowser } from '@jupyterlab/filebrowser'
import type { INotebookTracker } from '@jupyterlab/notebook'
import type { Contents } from '@jupyterlab/services'
import { codeIcon, copyIcon, refreshIcon, tagIcon } from '@jupyterlab/ui-components'
import type { InfinStorModel } from './model.js'
import { snippetFor } from './snippets.js'
import { createLabelDialog } from './widgets/labelDialog.js'

export const CommandIDs = {
  refresh: 'infinstor:refresh',
  copyPath: 'infinstor:copy-path',
  insertSnippet: 'infinstor:insert-snippet',
  createLabel: 'infinstor:create-label'
} as const

/** What an action applies to: the selected item, else the folder on view. */
interface Target { path: string, isDirectory: boolean }

function targetOf (model: InfinStorModel, browser: FileBrowser): Target {
  const selected: Contents.IModel | undefined = browser.selectedItems().next().value ?? undefined
  if (selected !== undefined) return { path: selected.path, isDirectory: selected.type === 'directory' }
  return { path: model.path, isDirectory: true }
}

async function copyText (text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text)
  } catch {
    // Not a secure context (plain http to a remote host): the older route.
    Clipboard.copyToSystem(text)
  }
}

export function addCommands (app: JupyterFrontEnd, model: InfinStorModel, browser: FileBrowser, notebooks: INotebookTracker | null): void {
  const { commands } = app
  const inView = (): boolean => model.health.state === 'ok' && model.canonicalSpec !== undefined

  commands.addCommand(CommandIDs.refresh, {
    label: 'Refresh InfinStor',
    caption: 'Check the InfinStor server again and reload buckets, labels and this folder',
    icon: refreshIcon,
    execute: async () => { await model.refresh() }
  })

  commands.addCommand(CommandIDs.copyPath, {
    label: 'Copy Path for Code',
    caption: 'Copy the plain mount path of the selected item (or this folder) for use in code',
    icon: copyIcon,
    isEnabled: () => model.path !== '',
    execute: async () => {
      const path = model.mountPathOf(targetOf(model, browser).path)
      await copyText(path)
      Notification.success(`Copied ${path}`, { autoClose: 4000 })
    }
  })

  commands.addCommand(CommandIDs.insertSnippet, {
    label: 'Insert Snippet into Notebook',
    caption: 'Add a cell that reads the selected item through the mount to the active notebook',
    icon: codeIcon,
    isEnabled: () => model.path !== '',
    execute: () => {
      const panel = notebooks?.currentWidget
      if (panel == null || panel.content.model === null) {
        Notification.warning('Open a notebook first: the snippet goes into the active notebook.', { autoClose: 5000 })
        return
      }
      const target = targetOf(model, browser)
      const source = snippetFor(model.mountPathOf(target.path), target.isDirectory)
      const notebook = panel.content
      const index = notebook.activeCellIndex + 1
      notebook.model!.sharedModel.insertCell(index, { cell_type: 'code', source })
      notebook.activeCellIndex = index
      app.shell.activateById(panel.id)
    }
  })

  commands.addCommand(CommandIDs.createLabel, {
    label: 'Create Label from Current View',
    caption: 'Name this bucket folder at this time (or slice) with a label',
    icon: tagIcon,
    isEnabled: inView,
    execute: async () => {
      if (!inView()) {
        Notification.warning('Open a bucket at a time, a slice or a label first.', { autoClose: 5000 })
        return
      }
      const { bucket, rest } = model.view
      const viewText = `${bucket}/${rest === '' ? '' : rest + '/'} at @${model.canonicalSpec ?? ''}`
      const label = await createLabelDialog(viewText, async f => await model.createLabel(f.name, f.description))
      if (label !== undefined) Notification.success(`Label ${label.name} created`, { autoClose: 4000 })
    }
  })

  const selector = `#${browser.id} .jp-DirListing-item`
  app.contextMenu.addItem({ command: CommandIDs.copyPath, selector, rank: 1 })
  app.contextMenu.addItem({ command: CommandIDs.insertSnippet, selector, rank: 2 })
}
