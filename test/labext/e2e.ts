// What the JupyterLab browser tests share: the panel's locators and waits, and screenshots.
import { copyFile, mkdir } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { ARTIFACTS, DOCS } from '../helpers/browser.js'

export const ZONE = 'Asia/Kolkata'
const ZONE_OFFSET_MS = 5.5 * 3600_000

/** The picker's value for an instant, in the browser's zone (as a user would type it). */
export function local (tMs: number): string {
  return new Date(tMs + ZONE_OFFSET_MS).toISOString().slice(0, 19)
}

/** How the panel writes an instant in the browser's zone. */
export function localText (tMs: number): string {
  return `${local(tMs).replace('T', ' ')} UTC+05:30`
}

export const second = (tMs: number): number => Math.floor(tMs / 1000) * 1000

export class LabPage {
  readonly panel
  readonly items
  readonly indicator

  constructor (readonly page: Page) {
    this.panel = page.locator('#infinstor-panel')
    this.items = this.panel.locator('.jp-DirListing-content .jp-DirListing-itemText')
    this.indicator = this.panel.locator('.jp-InfinStor-spec')
  }

  async app<T> (fn: string, arg?: unknown): Promise<T> {
    return await this.page.evaluate(`(${fn})(window.jupyterapp, ${JSON.stringify(arg ?? null)})`) as T
  }

  /**
   * Closes the documents in the main area, unsaved (read-only views and scratch notebooks alike): all of
   * them, or the one on display. A notebook closes once its kernel has settled, as JupyterLab's own UI
   * tests wait for it: the debugger probes a new kernel with debug_requests, and closing the notebook
   * while one is unanswered makes JupyterLab itself throw "Canceled future for debug_request" in the page.
   * The probe's last request changes nothing on screen, so unanswered requests are also counted on the
   * kernel connection.
   */
  async closeDocuments (which: 'all' | 'current' = 'all'): Promise<void> {
    await this.app(`async (a, which) => {
      const widgets = which === "current" ? [a.shell.currentWidget] : [...a.shell.widgets("main")]
      for (const w of widgets) {
        if (w.sessionContext !== undefined) {
          await w.context.ready
          await w.sessionContext.ready
        }
        const kernel = () => w.sessionContext?.session?.kernel
        const settled = () => w.node.querySelector(".jp-DebuggerBugButton[aria-disabled=false]") !== null &&
          kernel()?.status === "idle" && kernel()._futures.size === 0
        const deadline = Date.now() + 60_000
        for (let quiet = 0; kernel() != null && quiet < 3; quiet = settled() ? quiet + 1 : 0) {
          if (Date.now() > deadline) throw new Error(w.context.path + "'s kernel did not settle in 60 s")
          await new Promise(resolve => setTimeout(resolve, 100))
        }
        if (w.context !== undefined) w.context.model.dirty = false
        w.close()
      }
    }`, which)
  }

  /** Waits until the view on display is `spec` (its canonical form); the listing may still be the old one. */
  async viewIs (spec: string): Promise<void> {
    await this.panel.locator(`.jp-InfinStor-spec[data-spec="${spec}"]`).waitFor()
  }

  /** The listing, once it equals `expected` or after a while (then the test shows the difference). */
  async listingFor (expected: string[]): Promise<string[]> {
    let names: string[] = []
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      names = (await this.items.allTextContents()).map(s => s.trim()).sort()
      if (JSON.stringify(names) === JSON.stringify(expected)) break
      await this.page.waitForTimeout(200)
    }
    return names
  }

  /** The text of the current document, once it has loaded. */
  async currentText (): Promise<string> {
    await this.page.waitForFunction('window.jupyterapp.shell.currentWidget?.context?.isReady === true')
    return await this.app<string>('a => a.shell.currentWidget.context.model.toString()')
  }

  /** Opens the InfinStor sidebar (clicking its tab would close it when it is already open). */
  async showPanel (): Promise<void> {
    await this.app('a => a.shell.activateById("infinstor-panel")')
    await this.panel.waitFor()
  }

  async clickButton (command: string): Promise<void> {
    await this.panel.locator(`[data-command="${command}"]`).click()
  }

  /** Picks a snapshot time in the picker, as a user would. */
  async snapshotAt (tMs: number): Promise<void> {
    const picker = this.panel.getByLabel('Snapshot time')
    await picker.fill(local(tMs))
    await picker.dispatchEvent('change')
  }

  async shot (name: string, docs = false): Promise<void> {
    await mkdir(ARTIFACTS, { recursive: true })
    const path = `${ARTIFACTS}jupyterlab-${name}.png`
    await this.page.screenshot({ path })
    if (docs && process.env.INFINSTOR_DOCS_SCREENSHOTS === '1') {
      await mkdir(DOCS, { recursive: true })
      await copyFile(path, `${DOCS}jupyterlab-${name}.png`)
    }
  }
}
