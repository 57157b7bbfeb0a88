import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application'
import { ICommandPalette } from '@jupyterlab/apputils'
import { IDocumentWidgetOpener } from '@jupyterlab/docmanager'
import { IFileBrowserFactory } from '@jupyterlab/filebrowser'
import { INotebookTracker } from '@jupyterlab/notebook'
import type { ServerConnection } from '@jupyterlab/services'
import { ISettingRegistry } from '@jupyterlab/settingregistry'
import { CommandToolbarButton } from '@jupyterlab/ui-components'
import { formatSpec } from '../../core/timespec.js'
import { connectionSettings, followingSettings, InfinStorClient, whereOf } from './api.js'
import { addCommands, CommandIDs } from './commands.js'
import { DEFAULT_CONFIG, readConfig, type LabConfig } from './config.js'
import { InfinStorDrive } from './drive.js'
import { infinstorIcon } from './icon.js'
import { DRIVE_NAME, InfinStorModel } from './model.js'
import { parseViewPath, specOf } from './paths.js'
import { InfinStorPanel } from './widgets/panel.js'
import { markReadOnly } from './widgets/readonly.js'

const PLUGIN_ID = '@infinstor/jupyterlab:plugin'

async function loadConfig (registry: ISettingRegistry, onChange: (c: LabConfig) => void): Promise<LabConfig> {
  try {
    const settings = await registry.load(PLUGIN_ID)
    settings.changed.connect(() => onChange(readConfig(settings.composite as Record<string, unknown>)))
    return readConfig(settings.composite as Record<string, unknown>)
  } catch (e) {
    console.error('InfinStor: cannot load settings, using the defaults', e)
    return DEFAULT_CONFIG
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The InfinStor drive: versioned S3 buckets at any past time, read-only, in the file browser.',
  autoStart: true,
  requires: [IFileBrowserFactory, ISettingRegistry, IDocumentWidgetOpener],
  optional: [INotebookTracker, ICommandPalette],
  activate: async (app: JupyterFrontEnd, factory: IFileBrowserFactory, registry: ISettingRegistry,
    opener: IDocumentWidgetOpener, notebooks: INotebookTracker | null, palette: ICommandPalette | null): Promise<void> => {
    let model: InfinStorModel | undefined
    let connection: ServerConnection.ISettings | undefined
    let config = await loadConfig(registry, next => {
      config = next
      connection = connectionSettings(config)
      void model?.refresh()
    })
    connection = connectionSettings(config)
    // One Drive for the session: its settings follow the registry through this.
    const live = followingSettings(() => connection as ServerConnection.ISettings)
    const contents = app.serviceManager.contents
    const drive = new InfinStorDrive({ name: DRIVE_NAME, serverSettings: live })
    contents.addDrive(drive)

    model = new InfinStorModel({
      contents,
      client: new InfinStorClient(live),
      config: () => config,
      where: () => whereOf(live)
    })
    drive.open = () => model?.usable ?? false
    const browser = factory.createFileBrowser('infinstor-filebrowser', { driveName: DRIVE_NAME, allowFileUploads: false })
    browser.title.caption = 'InfinStor'
    model.attach(browser.model)
    addCommands(app, model, browser, notebooks)
    const buttons: Array<[string, string]> = [
      ['refresh', CommandIDs.refresh], ['copy-path', CommandIDs.copyPath],
      ['insert-snippet', CommandIDs.insertSnippet], ['create-label', CommandIDs.createLabel]
    ]
    for (const [, command] of buttons) palette?.addItem({ command, category: 'InfinStor' })
    for (const [name, id] of buttons) {
      // Icons only, as in JupyterLab's own file browser: the panel is narrow; the captions say what each does.
      browser.toolbar.addItem(name, new CommandToolbarButton({ commands: app.commands, id, label: '' }))
    }
    model.changed.connect(() => app.commands.notifyCommandChanged())

    const panel = new InfinStorPanel(model, browser)
    panel.id = 'infinstor-panel'
    panel.title.icon = infinstorIcon
    panel.title.caption = 'InfinStor: buckets at any past time'
    app.shell.add(panel, 'left', { rank: 150 })

    opener.opened.connect((_, widget) => {
      if (contents.driveName(widget.context.path) !== DRIVE_NAME) return
      const view = parseViewPath(contents.localPath(widget.context.path))
      const spec = specOf(view.spec)
      markReadOnly(widget, `${view.bucket} @${spec === undefined ? view.spec ?? '' : formatSpec(spec)}`)
    })

    void model.check()
  }
}

export default plugin
