import type { JupyterFrontEnd } from '@jupyterlab/application'
import { Clipboard, Notification } from '@jupyterlab/apputils'
import type { FileBrowser } from '@jupyterlab/filebrowser'
import type { INotebookTracker } from '@jupyterlab/notebook'
import type { Contents } from '@jupyterlab/services'
import { codeIcon, copyIcon, downloadIcon, folderIcon, historyIcon, linkIcon, refreshIcon, tagIcon } from '@jupyterlab/ui-components'
import type { Widget } from '@lumino/widgets'
import { formatInstant } from '../../core/timespec.js'
import { DRIVE_NAME, type InfinStorModel } from './model.js'
import { parseViewPath, s3UrlOf, viewPath } from './paths.js'
import { helperSnippetFor, snippetFor } from './snippets.js'
import { previousOf, versionRows, type VersionRow } from './versions.js'
import { createLabelDialog } from './widgets/labelDialog.js'
import { showVersionList } from './widgets/versionList.js'

export const CommandIDs = {
  refresh: 'infinstor:refresh',
  open: 'infinstor:open',
  versions: 'infinstor:versions',
  comparePrevious: 'infinstor:compare-previous',
  copyPath: 'infinstor:copy-path',
  copyS3Url: 'infinstor:copy-s3-url',
  insertSnippet: 'infinstor:insert-snippet',
  download: 'infinstor:download',
  createLabel: 'infinstor:create-label'
} as const

/** What an action applies to: the selected item, else the folder on view. */
interface Target { path: string, isDirectory: boolean }

function targetOf (model: InfinStorModel, browser: FileBrowser): Target {
  const selected: Contents.IModel | undefined = browser.selectedItems().next().value ?? undefined
  if (selected !== undefined) return { path: selected.path, isDirectory: selected.type === 'directory' }
  return { path: model.path, isDirectory: true }
}

function selectedFile (browser: FileBrowser): Contents.IModel | undefined {
  const items = [...browser.selectedItems()]
  return items.length === 1 && items[0].type !== 'directory' ? items[0] : undefined
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
  const oneFile = (): boolean => selectedFile(browser) !== undefined

  /**
   * Opens a drive path in the main area; `beside` puts it split to the left of that widget,
   * also when it was open already (JupyterLab would only reveal it, maybe behind the other).
   */
  const openPath = async (localPath: string, beside?: Widget): Promise<Widget> => {
    const widget = await commands.execute('docmanager:open', { path: `${DRIVE_NAME}:${localPath}` }) as Widget
    if (beside !== undefined) app.shell.add(widget, 'main', { mode: 'split-left', ref: beside.id })
    return widget
  }
  const versionPath = (bucket: string, key: string, row: VersionRow): string => viewPath(bucket, formatInstant(row.t), key)
  const localOf = (path: string): string => app.serviceManager.contents.localPath(path)

  commands.addCommand(CommandIDs.refresh, {
    label: 'Refresh InfinStor',
    caption: 'Check the InfinStor server again and reload buckets, labels and this folder',
    icon: refreshIcon,
    execute: async () => { await model.refresh() }
  })

  commands.addCommand(CommandIDs.open, {
    label: 'Open',
    icon: folderIcon.bindprops({ stylesheet: 'menuItem' }),
    execute: async () => {
      for (const item of [...browser.selectedItems()]) {
        if (item.type === 'directory') await browser.model.cd('/' + localOf(item.path))
        else await openPath(localOf(item.path))
      }
    }
  })

  interface FileHistory { file: Contents.IModel, bucket: string, key: string, rows: VersionRow[] }

  /**
   * A menu command on the one selected file that needs its history (rows marking the version the
   * view shows); `failure` words the notification when the history cannot be had.
   */
  const addHistoryCommand = (id: string, label: string, caption: string, failure: (name: string) => string,
    run: (history: FileHistory) => Promise<void>): void => {
    commands.addCommand(id, {
      label,
      caption,
      icon: historyIcon.bindprops({ stylesheet: 'menuItem' }),
      isEnabled: oneFile,
      execute: async () => {
        const file = selectedFile(browser)
        if (file === undefined) return
        try {
          const { bucket, key, entries } = await model.log(file.path)
          const rows = versionRows(entries, await model.viewTime(parseViewPath(localOf(file.path)).spec))
          await run({ file, bucket, key, rows })
        } catch (e) {
          Notification.error(`${failure(file.name)}: ${(e as Error).message}`, { autoClose: 8000 })
        }
      }
    })
  }

  addHistoryCommand(CommandIDs.versions, 'Show Versions…',
    'Every version of this file, to open any of them or compare one with the one before',
    name => `No versions for ${name}`,
    async ({ bucket, key, rows }) => {
      showVersionList(`Versions of ${bucket}/${key}`,
        `Newest first. Times are S3's LastModified, in UTC and in your time zone (${Intl.DateTimeFormat().resolvedOptions().timeZone}).`,
        rows, {
          open: async row => { await openPath(versionPath(bucket, key, row)) },
          compare: async (row, previous) => {
            const newer = await openPath(versionPath(bucket, key, row))
            await openPath(versionPath(bucket, key, previous), newer)
          }
        })
    })

  addHistoryCommand(CommandIDs.comparePrevious, 'Compare with Previous Version',
    'Open this file beside its version before the one in this view',
    name => `Cannot compare ${name}`,
    async ({ file, bucket, key, rows }) => {
      const index = rows.findIndex(r => r.current)
      const previous = index < 0 ? undefined : previousOf(rows, index)
      if (previous === undefined) {
        Notification.info(`${file.name} has no earlier version to compare with.`, { autoClose: 5000 })
        return
      }
      await openPath(versionPath(bucket, key, previous), await openPath(localOf(file.path)))
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

  commands.addCommand(CommandIDs.copyS3Url, {
    label: 'Copy S3 URL',
    caption: 'Copy the S3 URL of the selected item (or this folder) at this view, for boto3, pyarrow or polars through the InfinStor S3 gateway',
    icon: linkIcon,
    isEnabled: () => inView(),
    execute: async () => {
      const target = targetOf(model, browser)
      const url = s3UrlOf(localOf(target.path), target.isDirectory, model.canonicalSpec)
      if (url === undefined) return
      await copyText(url)
      Notification.success(`Copied ${url} (read it through the S3 gateway; see the README's S3 gateway section)`, { autoClose: 5000 })
    }
  })

  commands.addCommand(CommandIDs.insertSnippet, {
    label: 'Insert Snippet into Notebook',
    caption: 'Add a cell that reads the selected item (or this folder) to the active notebook',
    icon: codeIcon,
    isEnabled: () => model.path !== '',
    execute: () => {
      const panel = notebooks?.currentWidget
      if (panel == null || panel.content.model === null) {
        Notification.warning('Open a notebook first: the snippet goes into the active notebook.', { autoClose: 5000 })
        return
      }
      const target = targetOf(model, browser)
      const local = localOf(target.path)
      const view = parseViewPath(local)
      const spec = model.canonicalSpec
      const source = model.hasHelper && spec !== undefined
        ? helperSnippetFor(view.bucket, view.rest, spec, target.isDirectory)
        : snippetFor(model.mountPathOf(target.path), target.isDirectory)
      const notebook = panel.content
      const index = notebook.activeCellIndex + 1
      notebook.model!.sharedModel.insertCell(index, { cell_type: 'code', source })
      notebook.activeCellIndex = index
      app.shell.activateById(panel.id)
    }
  })

  commands.addCommand(CommandIDs.download, {
    label: 'Download',
    icon: downloadIcon.bindprops({ stylesheet: 'menuItem' }),
    isEnabled: oneFile,
    execute: async () => { await browser.download() }
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
}
