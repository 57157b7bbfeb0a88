import { InfinError } from '../core/errors.js'
import {
  checkBuilt, commandText, install, pipCommand, ROOT, targetPython, uninstall, which, type Scope
} from '../jupyter/install.js'
import type { Command, CommandContext } from './commands.js'

function scopeOf (ctx: CommandContext): Scope {
  const f = ctx.flags
  const chosen = ['sys-prefix', 'user', 'prefix'].filter(k => f[k] !== undefined && f[k] !== false)
  if (chosen.length > 1) throw new InfinError('Usage', `choose one of --${chosen.join(', --')}`)
  if (typeof f.python === 'string' && typeof f.jupyter === 'string') throw new InfinError('Usage', 'choose one of --python, --jupyter')
  const found = { python: typeof f.python === 'string' ? f.python : undefined, jupyter: typeof f.jupyter === 'string' ? f.jupyter : undefined }
  if (typeof f.prefix === 'string') return { kind: 'prefix', dir: f.prefix, ...found }
  return { kind: f.user === true ? 'user' : 'sys-prefix', ...found }
}

/** Where the server extension will look for `infinstor`, said when this one is not on PATH. */
async function commandHint (): Promise<string> {
  if (await which('infinstor') !== undefined) return ''
  return 'The server extension runs `infinstor` from the Jupyter server\'s PATH, and this one is not on yours:\n' +
    `  export PATH=${ROOT}/bin:$PATH   (or INFINSTOR_HOME=${ROOT}) in the environment that starts JupyterLab.\n`
}

export const jupyter: Command = {
  summary: 'install (or uninstall) InfinStor for JupyterLab: the drive, its server extension and the kernel helper',
  usage: 'install|uninstall [--sys-prefix (default) | --user | --prefix DIR] [--jupyter PATH | --python PATH] [--print]\n\n' +
    'pip-installs the infinstor-jupyter package (this repository\'s python/ folder; offline from /opt/pypi/files\n' +
    'when that folder exists) into the environment of the jupyter on PATH (or --jupyter, or --python):\n' +
    '--sys-prefix: that environment; --user: pip\'s --user; --prefix DIR: pip\'s --prefix.\n' +
    '--print only prints the pip command, to run where JupyterLab runs.',
  options: {
    'sys-prefix': { type: 'boolean' },
    user: { type: 'boolean' },
    prefix: { type: 'string' },
    jupyter: { type: 'string' },
    python: { type: 'string' },
    print: { type: 'boolean' }
  },
  async run (ctx) {
    const [action, ...extra] = ctx.args
    if (extra.length > 0 || (action !== 'install' && action !== 'uninstall')) {
      throw new InfinError('Usage', 'usage: infinstor jupyter install|uninstall [--sys-prefix|--user|--prefix DIR] [--jupyter PATH|--python PATH] [--print]')
    }
    const scope = scopeOf(ctx)
    const python = await targetPython(scope)
    if (ctx.flags.print === true || python === undefined) {
      if (action === 'install') await checkBuilt()
      const cmd = commandText(await pipCommand(action, scope, python ?? 'python3'))
      if (python !== undefined) {
        process.stdout.write(cmd + '\n')
        return 0
      }
      throw new InfinError('Usage', 'no jupyter command on PATH: activate the environment that runs JupyterLab and run this again, ' +
        `give --jupyter PATH or --python PATH, or run there:\n  ${cmd}`)
    }
    if (action === 'install') {
      const cmd = await install(scope, python)
      process.stdout.write(`installed infinstor-jupyter (the InfinStor drive, its server extension and the kernel helper) with:\n  ${commandText(cmd)}\n` +
        'Restart JupyterLab, then open the InfinStor panel in the left sidebar: there is nothing to set up.\n' +
        await commandHint())
    } else {
      const cmd = await uninstall(scope, python)
      process.stdout.write(`uninstalled infinstor-jupyter with:\n  ${commandText(cmd)}\n`)
    }
    return 0
  }
}
