import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application'
import { ICommandPalette } from '@jupyterlab/apputils'
import { IDocumentManager, IDocumentWidgetOpener } from '@jupyterlab/docmanager'
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser'
import { INotebookTracker } from '@jupyterlab/notebook'
import type { ServerConnection } from '@jupyterlab/services'
import { ISettingRegistry } from '@jupyterlab/settingregistry'
import { CommandToolbarButton } from '@jupyterlab/ui-components'
import { connectionSettings, followingSettings, InfinStorClient, viaExtension, whereOf } from './api.js'
import { createBrowser } from './browser.js'
import { addCommands, CommandIDs } from './commands.js'
import { DEFAULT_CONFIG, readConfig, type LabConfig } from './config.js'
import { adoptDocument } from './documents.js'
import { InfinStorDrive } from './drive.js'
import { infinstorIcon } from './icon.js'
import { DRIVE_NAME, InfinStorModel, type Connection } from './model.js'
import { InfinStorPanel } from './widgets/panel.js'

const PLUGIN_ID = '@infinstor/jupyterlab:plugin'

async function loadSettings (registry: ISettingRegistry, onChange: (c: LabConfig) => void): Promise<ISettingRegistry.ISettings | undefined> {
  try {
    const settings = await registry.load(PLUGIN_ID)
    settings.changed.connect(() => onChange(readConfig(settings.composite as Record<string, unknown>)))
    return settings
  } catch (e) {
    console.error('InfinStor: cannot load settings, using the defaults', e)
    return undefined
  }
}

function connectionFor (config: LabConfig, settings = connectionSettings(config)): Connection {
  return { client: new InfinStorClient(settings), where: whereOf(settings), viaExtension: viaExtension(config) }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The InfinStor drive: versioned S3 buckets at any past time, read-only, in the file browser.',
  autoStart: true,
  requires: [IDocumentManager, ISettingRegistry, IDocumentWidgetOpener],
  optional: [INotebookTracker, ICommandPalette, IDefaultFileBrowser],
  activate: async (app: JupyterFrontEnd, docManager: IDocumentManager, registry: ISettingRegistry,
    opener: IDocumentWidgetOpener, notebooks: INotebookTracker | null, palette: ICommandPalette | null,
    defaultBrowser: IDefaultFileBrowser | null): Promise<void> => {
    let model: InfinStorModel | undefined
    let config = DEFAULT_CONFIG
    let connection: ServerConnection.ISettings = connectionSettings(config)
    const settings = await loadSettings(registry, next => {
      config = next
      connection = connectionSettings(config)
      void model?.refresh()
    })
    if (settings !== undefined) {
      config = readConfig(settings.composite as Record<string, unknown>)
      connection = connectionSettings(config)
    }
    // One Drive for the session: its settings follow the registry through this.
    const live = followingSettings(() => connection)
    const contents = app.serviceManager.contents
    const drive = new InfinStorDrive({ name: DRIVE_NAME, serverSettings: live })
    drive.viaExtension = () => viaExtension(config)
    contents.addDrive(drive)

    model = new InfinStorModel({
      contents,
      config: () => config,
      connect: c => c === undefined ? connectionFor(config, live) : connectionFor(c)
    })
    drive.open = () => model?.usable ?? false
    const browser = createBrowser(app, docManager)
    browser.title.caption = 'InfinStor'
    model.attach(browser.model)
    addCommands(app, model, browser, notebooks)
    const buttons: Array<[string, string]> = [
      ['refresh', CommandIDs.refresh], ['copy-path', CommandIDs.copyPath], ['copy-s3-url', CommandIDs.copyS3Url],
      ['insert-snippet', CommandIDs.insertSnippet], ['create-label', CommandIDs.createLabel]
    ]
    for (const [, command] of buttons) palette?.addItem({ command, category: 'InfinStor' })
    for (const [name, id] of buttons) {
      // Icons only, as in JupyterLab's own file browser: the panel is narrow; the captions say what each does.
      browser.toolbar.addItem(name, new CommandToolbarButton({ commands: app.commands, id, label: '' }))
    }
    model.changed.connect(() => app.commands.notifyCommandChanged())

    const panel = new InfinStorPanel(model, browser, {
      test: async (serverUrl, token) => await (model as InfinStorModel).diagnose(connectionFor({ ...config, serverUrl, token })),
      save: async (serverUrl, token) => {
        await settings?.set('serverUrl', serverUrl)
        await settings?.set('token', token)
      }
    })
    panel.id = 'infinstor-panel'
    panel.title.icon = infinstorIcon
    panel.title.caption = 'InfinStor: buckets at any past time'
    app.shell.add(panel, 'left', { rank: 150 })

    opener.opened.connect((_, widget) => {
      if (contents.driveName(widget.context.path) !== DRIVE_NAME) return
      adoptDocument(widget, contents, () => defaultBrowser?.model.path ?? '')
    })

    void model.check()
  }
}

export default plugin
