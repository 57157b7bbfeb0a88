import { Dialog, showDialog } from '@jupyterlab/apputils'
import { Widget } from '@lumino/widgets'
import type { Label } from '../api.js'

interface LabelFields { name: string, description: string }

/** The dialog's form; its values survive a round trip through an error. */
class LabelForm extends Widget implements Dialog.IBodyWidget<LabelFields> {
  private readonly name: HTMLInputElement
  private readonly description: HTMLTextAreaElement

  constructor (viewText: string, fields: LabelFields, error: string | undefined) {
    super()
    this.addClass('jp-InfinStor-labelForm')
    const about = Object.assign(document.createElement('p'), { textContent: `A label names ${viewText}, for good: labels cannot be changed later.` })
    this.name = Object.assign(document.createElement('input'), {
      className: 'jp-mod-styled jp-InfinStor-labelName', value: fields.name, placeholder: 'e.g. train-2024-06'
    })
    this.name.setAttribute('aria-label', 'Label name')
    this.description = Object.assign(document.createElement('textarea'), {
      className: 'jp-mod-styled jp-InfinStor-labelDescription', value: fields.description, rows: 3
    })
    this.description.setAttribute('aria-label', 'Label description')
    const row = (text: string, input: HTMLElement): HTMLLabelElement => {
      const l = document.createElement('label')
      l.append(Object.assign(document.createElement('span'), { textContent: text }), input)
      return l
    }
    this.node.append(about, row('Name', this.name), row('Description (optional)', this.description))
    if (error !== undefined) {
      const e = Object.assign(document.createElement('p'), { className: 'jp-InfinStor-labelError', textContent: error })
      e.setAttribute('role', 'alert')
      this.node.append(e)
    }
  }

  getValue (): LabelFields {
    return { name: this.name.value.trim(), description: this.description.value.trim() }
  }

  protected onAfterAttach (): void {
    this.name.focus()
  }
}

/**
 * Asks for a name and description and creates the label; the server's
 * errors (a bad or taken name) are shown in the dialog, which stays open
 * with what was typed until the label is made or the user cancels.
 */
export async function createLabelDialog (viewText: string, create: (f: LabelFields) => Promise<Label>): Promise<Label | undefined> {
  let fields: LabelFields = { name: '', description: '' }
  let error: string | undefined
  for (;;) {
    const result = await showDialog({
      title: 'Create label from current view',
      body: new LabelForm(viewText, fields, error),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Create label' })],
      focusNodeSelector: 'input'
    })
    if (!result.button.accept || result.value === null) return undefined
    fields = result.value
    try {
      return await create(fields)
    } catch (e) {
      error = (e as Error).message
    }
  }
}
