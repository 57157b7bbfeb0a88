import type { FileBrowser } from '@jupyterlab/filebrowser'
import { Panel } from '@lumino/widgets'
import type { InfinStorModel } from '../model.js'
import { HealthBanner } from './banner.js'
import type { SetupActions } from './setup.js'
import { ViewBar } from './viewbar.js'

/**
 * The left-sidebar panel: the health banner (or the setup form), the view
 * chooser, and a file browser on the InfinStor drive. While the server
 * cannot be used, only the banner shows, so nobody browses a stale listing.
 */
export class InfinStorPanel extends Panel {
  private readonly model: InfinStorModel
  private readonly browser: FileBrowser
  private readonly viewBar: ViewBar

  constructor (model: InfinStorModel, browser: FileBrowser, setup: SetupActions) {
    super()
    this.model = model
    this.browser = browser
    this.addClass('jp-InfinStor-panel')
    this.viewBar = new ViewBar(model)
    this.addWidget(new HealthBanner(model, setup))
    this.addWidget(this.viewBar)
    this.addWidget(browser)
    model.changed.connect(this.render, this)
    this.render()
  }

  private render (): void {
    const usable = this.model.health.state === 'ok'
    this.viewBar.setHidden(!usable)
    this.browser.setHidden(!usable)
  }

  dispose (): void {
    this.model.changed.disconnect(this.render, this)
    super.dispose()
  }
}
