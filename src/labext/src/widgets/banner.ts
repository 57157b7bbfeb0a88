import { Widget } from '@lumino/widgets'
import type { InfinStorModel } from '../model.js'

/** A fix step, with its `backquoted` commands as code the user can copy. */
function step (text: string): HTMLLIElement {
  const li = document.createElement('li')
  text.split('`').forEach((part, i) => {
    li.append(i % 2 === 1 ? Object.assign(document.createElement('code'), { textContent: part }) : part)
  })
  return li
}

/**
 * Says why the InfinStor server cannot be used and how to fix it, with a
 * Retry button. Hidden while the server is fine.
 */
export class HealthBanner extends Widget {
  private readonly model: InfinStorModel

  constructor (model: InfinStorModel) {
    super()
    this.model = model
    this.addClass('jp-InfinStor-banner')
    this.node.setAttribute('role', 'alert')
    model.changed.connect(this.render, this)
    this.render()
  }

  private render (): void {
    const health = this.model.health
    this.node.dataset.state = health.state
    if (health.state === 'ok') {
      this.node.replaceChildren()
      this.hide()
      return
    }
    this.show()
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
