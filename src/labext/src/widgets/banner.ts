import { Widget } from '@lumino/widgets'
import type { InfinStorModel } from '../model.js'
import { setupForm, type SetupActions } from './setup.js'

/** A fix step, with its `backquoted` commands as code the user can copy. */
function step (text: string): HTMLLIElement {
  const li = document.createElement('li')
  text.split('`').forEach((part, i) => {
    li.append(i % 2 === 1 ? Object.assign(document.createElement('code'), { textContent: part }) : part)
  })
  return li
}

/**
 * The top of the panel. While the server is fine: one line saying which
 * daemon serves the drive, and whether a mount shares it. On a first run
 * without the server extension: the setup form. Otherwise: why the server
 * cannot be used and how to fix it, with a Retry button.
 */
export class HealthBanner extends Widget {
  private readonly model: InfinStorModel
  private readonly setup: HTMLElement
  private shown: string | undefined

  constructor (model: InfinStorModel, actions: SetupActions) {
    super()
    this.model = model
    this.setup = setupForm(actions)
    this.addClass('jp-InfinStor-banner')
    model.changed.connect(this.render, this)
    this.render()
  }

  private status (): HTMLElement {
    const health = this.model.health
    const p = document.createElement('p')
    p.className = 'jp-InfinStor-status'
    if (health.state !== 'ok') return p
    const ext = health.extension
    const info = health.info as { endpoint?: string }
    const endpoint = ext?.daemon.endpoint ?? info.endpoint
    p.append(`InfinStor ${health.info.version}` + (endpoint === undefined ? '' : ` · S3 ${endpoint}`))
    const mount = ext?.mount
    const line = document.createElement('span')
    line.className = 'jp-InfinStor-mountStatus'
    if (ext === undefined) line.textContent = `Plain paths: ${this.model.mountPoint}`
    else if (mount === null || mount === undefined) {
      line.textContent = 'No mount: code cannot read plain paths yet. '
      line.append(Object.assign(document.createElement('code'), { textContent: `infinstor mount ${this.model.config.mountPoint}` }))
    } else {
      line.textContent = `Mounted at ${mount.mountpoint}` + (mount.sharesCache ? ' (one cache with this panel)' : ` (not shared: ${mount.why ?? ''})`)
    }
    p.append(document.createElement('br'), line)
    p.title = ext === undefined ? '' : `Daemon: ${ext.daemon.source === 'mount' ? 'the mount\'s server' : 'started by JupyterLab'} at ${ext.daemon.url}`
    return p
  }

  private render (): void {
    const health = this.model.health
    this.node.dataset.state = health.state
    this.node.setAttribute('role', health.state === 'problem' ? 'alert' : 'status')
    if (health.state === 'setup') {
      // The form keeps what was typed across re-renders.
      if (this.shown !== 'setup') this.node.replaceChildren(this.setup)
      this.shown = 'setup'
      return
    }
    this.shown = health.state
    if (health.state === 'ok') {
      this.node.replaceChildren(this.status())
      return
    }
    if (health.state === 'checking') {
      this.node.replaceChildren(Object.assign(document.createElement('p'), { textContent: 'Connecting to the InfinStor server…' }))
      return
    }
    const { title, detail, fix } = health.problem
    const heading = Object.assign(document.createElement('h3'), { textContent: title, className: 'jp-InfinStor-bannerTitle' })
    const text = Object.assign(document.createElement('p'), { textContent: detail })
    const steps = document.createElement('ol')
    steps.className = 'jp-InfinStor-fix'
    steps.append(...fix.map(step))
    const retry = Object.assign(document.createElement('button'), {
      type: 'button', textContent: 'Retry', className: 'jp-mod-styled jp-mod-accept jp-InfinStor-retry'
    })
    retry.addEventListener('click', () => { void this.model.refresh() })
    this.node.replaceChildren(heading, text, Object.assign(document.createElement('p'), { textContent: 'To fix it:' }), steps, retry)
  }

  dispose (): void {
    this.model.changed.disconnect(this.render, this)
    super.dispose()
  }
}
