import { URLExt } from '@jupyterlab/coreutils'
import { Drive, type Contents } from '@jupyterlab/services'

/**
 * The stock contents Drive, pointed at the InfinStor server, with two
 * differences. It stays closed while the panel reports a problem with the
 * server (`open`), and download links carry the InfinStor token rather
 * than JupyterLab's XSRF cookie (the server turns `?token=` on a page load
 * into a cookie).
 */
export class InfinStorDrive extends Drive {
  open: () => boolean = () => true

  async get (localPath: string, options?: Contents.IFetchOptions): Promise<Contents.IModel> {
    if (!this.open()) throw new Error('the InfinStor server is not available: see the InfinStor panel')
    return await super.get(localPath, options)
  }

  async getDownloadUrl (localPath: string): Promise<string> {
    const { baseUrl, token } = this.serverSettings
    const url = URLExt.join(baseUrl, 'files', URLExt.encodeParts(localPath))
    return token === '' ? url : `${url}?token=${encodeURIComponent(token)}`
  }
}
