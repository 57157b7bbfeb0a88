import { URLExt } from '@jupyterlab/coreutils'
import { Drive, type Contents } from '@jupyterlab/services'

/**
 * The stock contents Drive, pointed at the InfinStor server, with two
 * differences. It stays closed while the panel reports a problem with the
 * server (`open`). Download links to a daemon's own URL carry the daemon's
 * token rather than JupyterLab's XSRF cookie (the daemon turns `?token=` on
 * a page load into a cookie); through the server extension they are
 * JupyterLab's own links.
 */
export class InfinStorDrive extends Drive {
  open: () => boolean = () => true
  viaExtension: () => boolean = () => true

  async get (localPath: string, options?: Contents.IFetchOptions): Promise<Contents.IModel> {
    if (!this.open()) throw new Error('the InfinStor server is not available: see the InfinStor panel')
    return await super.get(localPath, options)
  }

  async getDownloadUrl (localPath: string): Promise<string> {
    if (this.viaExtension()) return await super.getDownloadUrl(localPath)
    const { baseUrl, token } = this.serverSettings
    const url = URLExt.join(baseUrl, 'files', URLExt.encodeParts(localPath))
    return token === '' ? url : `${url}?token=${encodeURIComponent(token)}`
  }
}
