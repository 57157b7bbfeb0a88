import { URLExt } from '@jupyterlab/coreutils'
import { Drive } from '@jupyterlab/services'

/**
 * The stock contents Drive, pointed at the InfinStor server. Only download
 * links differ: the stock ones carry JupyterLab's XSRF cookie, while a
 * link opened on another origin needs the InfinStor token instead (the
 * server turns `?token=` on a page load into a cookie).
 */
export class InfinStorDrive extends Drive {
  async getDownloadUrl (localPath: string): Promise<string> {
    const { baseUrl, token } = this.serverSettings
    const url = URLExt.join(baseUrl, 'files', URLExt.encodeParts(localPath))
    return token === '' ? url : `${url}?token=${encodeURIComponent(token)}`
  }
}
