import { buildTree } from '../daemon/open-tree.js'
import { streamLog } from '../config/log.js'
import type { AppDeps } from '../daemon/http-app.js'
import type { Router } from '../server/http.js'
import { addContentsRoutes } from './routes.js'
import { treeSource } from './tree-source.js'

/**
 * The Jupyter contents API on the shared server, over the mount's tree when
 * it runs beside a mount (one cache), else over a tree of its own.
 */
export function addContents (router: Router, deps: AppDeps): void {
  const tree = deps.tree ?? buildTree(deps.engine, deps.settings, streamLog(line => process.stderr.write(line)))
  addContentsRoutes(router, treeSource(tree), {
    maxBytes: deps.settings.num('contents-max-bytes'),
    mountPoint: deps.settings.str('mount-point') ?? '/infinstor'
  })
}
