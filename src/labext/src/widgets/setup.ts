import type { Health } from '../health.js'

export interface SetupActions {
  /** Checks a daemon's URL and token, without saving them. */
  test: (serverUrl: string, token: string) => Promise<Health>
  /** Saves them in the settings, after which the panel connects. */
  save: (serverUrl: string, token: string) => Promise<void>
}

function el<K extends keyof HTMLElementTagNameMap> (tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props)
  node.append(...children)
  return node
}

/**
 * First run without the server extension: not an error, a question. Where
 * is the daemon, and what is its token? Test tries them; Save keeps them.
 */
export function setupForm (actions: SetupActions): HTMLElement {
  const url = el('input', { className: 'jp-mod-styled jp-InfinStor-setupUrl', placeholder: 'http://127.0.0.1:8941', type: 'url' })
  url.setAttribute('aria-label', 'Server URL')
  const token = el('input', { className: 'jp-mod-styled jp-InfinStor-setupToken', type: 'password', autocomplete: 'off' })
  token.setAttribute('aria-label', 'Token')
  const result = el('div', { className: 'jp-InfinStor-setupResult' })
  result.setAttribute('role', 'status')
  const testButton = el('button', { type: 'button', className: 'jp-mod-styled jp-InfinStor-setupTest', textContent: 'Test' })
  const saveButton = el('button', { type: 'button', className: 'jp-mod-styled jp-mod-accept jp-InfinStor-setupSave', textContent: 'Save', disabled: true })
  let tested: string | undefined
  const typed = (): string => JSON.stringify([url.value.trim(), token.value.trim()])
  const invalidate = (): void => { saveButton.disabled = tested !== typed() }
  url.addEventListener('input', invalidate)
  token.addEventListener('input', invalidate)

  testButton.addEventListener('click', () => {
    void (async () => {
      result.dataset.state = 'checking'
      result.replaceChildren('Testing…')
      const health = await actions.test(url.value.trim(), token.value.trim())
      result.dataset.state = health.state
      if (health.state === 'ok') {
        tested = typed()
        result.replaceChildren(`Connected: InfinStor ${health.info.version}. Save to use it.`)
      } else if (health.state === 'problem') {
        tested = undefined
        result.replaceChildren(el('strong', { textContent: health.problem.title }), el('p', { textContent: health.problem.detail }),
          el('ul', {}, ...health.problem.fix.map(f => el('li', { textContent: f.replace(/`/g, '') }))))
      }
      invalidate()
    })()
  })
  saveButton.addEventListener('click', () => { void actions.save(url.value.trim(), token.value.trim()) })

  const row = (label: string, input: HTMLElement): HTMLLabelElement => el('label', { className: 'jp-InfinStor-setupRow' }, el('span', { textContent: label }), input)
  return el('form', { className: 'jp-InfinStor-setup', onsubmit: (e: Event) => { e.preventDefault() } },
    el('h3', { className: 'jp-InfinStor-bannerTitle', textContent: 'Connect to InfinStor' }),
    el('p', {},
      'The easiest way needs no setup: install the server extension where JupyterLab runs (',
      el('code', { textContent: 'infinstor jupyter install' }),
      ') and restart JupyterLab. Or connect to a daemon started with ',
      el('code', { textContent: `infinstor serve --allow-origin ${window.location.origin}` }), ':'),
    row('Server URL', url),
    row('Token', token),
    el('p', { className: 'jp-InfinStor-setupHint', textContent: 'The token is in ~/.config/infinstor/token on the daemon\'s machine.' }),
    el('div', { className: 'jp-InfinStor-setupButtons' }, testButton, saveButton),
    result)
}
