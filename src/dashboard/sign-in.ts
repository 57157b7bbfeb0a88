import type { Reply, Request, Router } from '../server/http.js'
import { PAGE_HEADERS } from './static.js'

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; color: #1d2330; background: #f6f7f9; margin: 0; }
main { max-width: 640px; margin: 48px auto; background: #fff; border: 1px solid #dfe3ea; border-radius: 10px; padding: 24px 28px; }
h1 { font-size: 22px; margin: 0 0 12px; }
code { font: 13px ui-monospace, Menlo, Consolas, monospace; background: #f2f4f8; padding: 1px 5px; border-radius: 4px; }
pre { background: #f2f4f8; padding: 10px 12px; border-radius: 6px; overflow: auto; }
form { display: flex; gap: 8px; margin: 8px 0 4px; }
input { flex: 1; font: inherit; padding: 6px 8px; border: 1px solid #cfd5df; border-radius: 6px; }
button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #2458d6; background: #2458d6; color: #fff; cursor: pointer; }
.refused { border: 1px solid #e7b4b4; background: #fdf1f1; color: #7a1f1f; border-radius: 8px; padding: 8px 12px; }
.note { color: #5d6677; font-size: 13px; }
`

/**
 * The page a browser gets at /ui/ without the token: how to open the
 * dashboard, or a field to paste the token into. It is the same page for
 * every request, whatever was presented: nothing from the request is shown.
 */
export function signInPage (refused: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>InfinStor: sign in</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>InfinStor dashboard</h1>
${refused ? '<p class="refused" role="alert">That token was not accepted. The server may have been restarted with a new token: open the dashboard again as below.</p>' : ''}
<p>This dashboard needs its access token, which this browser does not have yet.</p>
<p><strong>Open it from a terminal</strong> on the machine that runs InfinStor:</p>
<pre>infinstor ui</pre>
<p class="note">It opens the browser with the token in the address (the token is then kept in a cookie and
removed from the address bar). <code>infinstor ui --no-open</code> prints the address instead, for a remote shell.</p>
<p><strong>Or paste the token</strong> of the running server (<code>infinstor serve</code>, <code>infinstor ui</code> or a mount):</p>
<form method="get" action="/ui/">
<input type="password" name="token" aria-label="token" autocomplete="off" required placeholder="token">
<button type="submit">Open the dashboard</button>
</form>
<p class="note">The token is in the server's token file: <code>cat ~/.config/infinstor/token</code> by default, or the
file <code>--token-file</code> names; or it is the one given with <code>--token</code> or <code>INFINSTOR_TOKEN</code>.</p>
</main>
</body>
</html>
`
}

/** Page loads of /ui/ without a valid token get the sign-in page (the server sends it as a 401). */
export function signInRoutes (router: Router): void {
  router.signIn(/^\/ui(\/(index\.html)?)?$/, async (req: Request): Promise<Reply> => ({
    headers: PAGE_HEADERS,
    body: signInPage(req.url.searchParams.has('token')),
    type: 'text/html; charset=utf-8'
  }))
}
