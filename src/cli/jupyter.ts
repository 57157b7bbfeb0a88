import { InfinError } from '../core/errors.js'
import { install, uninstall, type Scope } from '../jupyter/install.js'
import type { Command, CommandContext } from './commands.js'

function scopeOf (ctx: CommandContext): Scope {
  const f = ctx.flags
  const chosen = ['sys-prefix', 'user', 'prefix', 'data-dir'].filter(k => f[k] !== undefined && f[k] !== false)
  if (chosen.length > 1) throw new InfinError('Usage', `choose one of --${chosen.join(', --')}`)
  const jupyter = typeof f.jupyter === 'string' ? f.jupyter : undefined
  if (typeof f.prefix === 'string') return { kind: 'prefix', dir: f.prefix }
  if (typeof f['data-dir'] === 'string') return { kind: 'data-dir', dir: f['data-dir'] }
  return { kind: f.user === true ? 'user' : 'sys-prefix', jupyter }
}

export const jupyter: Command = {
  summary: 'install (or uninstall) the JupyterLab extension: the InfinStor drive and panel',
  usage: 'install|uninstall [--sys-prefix (default) | --user | --prefix DIR | --data-dir DIR] [--jupyter PATH]\n\n' +
    '--sys-prefix: the environment of the jupyter on PATH (or --jupyter); --user: your Jupyter data dir\n' +
    '(jupyter --data-dir); --prefix DIR: DIR/share/jupyter; --data-dir DIR: DIR itself.',
  options: {
    'sys-prefix': { type: 'boolean' },
    user: { type: 'boolean' },
    prefix: { type: 'string' },
    'data-dir': { type: 'string' },
    jupyter: { type: 'string' }
  },
  async run (ctx) {
    const [action, ...extra] = ctx.args
    if (extra.length > 0 || (action !== 'install' && action !== 'uninstall')) {
      throw new InfinError('Usage', 'usage: infinstor jupyter install|uninstall [--sys-prefix|--user|--prefix DIR|--data-dir DIR]')
    }
    const scope = scopeOf(ctx)
    if (action === 'install') {
      const dest = await install(scope)
      process.stdout.write(`installed the InfinStor JupyterLab extension in ${dest}\n` +
        'Restart JupyterLab, then open the InfinStor panel in the left sidebar.\n' +
        'Its server URL and token are in Settings > Settings Editor > InfinStor (see the README, section JupyterLab).\n')
    } else {
      const { dest, removed } = await uninstall(scope)
      process.stdout.write(removed ? `removed ${dest}\n` : `not installed in ${dest}; nothing to remove\n`)
    }
    return 0
  }
}
