"""<base_url>/infinstor/...: the InfinStor API for the drive, on JupyterLab's own origin and login.

Every request passes Jupyter's authentication (@web.authenticated) and, for
state-changing methods, its XSRF check (tornado runs check_xsrf_cookie before
any non-GET handler; Jupyter skips it only for token-authenticated requests).
The daemon's token is added here and never reaches the browser.
"""

import json
import urllib.parse

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.httputil import HTTPHeaders, parse_response_start_line

from .daemon import DaemonManager, Unavailable

VERSION = "0.1.0"
#: The daemon's paths the drive uses; nothing else of it is reachable through Jupyter.
PROXIED = r"/infinstor(/api/infinstor/.*|/api/contents(?:/.*)?|/files/.*)"
REQUEST_HEADERS = ("Content-Type", "Range", "If-None-Match", "If-Modified-Since", "Accept")
RESPONSE_HEADERS = ("Content-Type", "Content-Length", "Content-Disposition", "Content-Range", "Accept-Ranges", "ETag",
                    "Last-Modified", "Cache-Control", "X-Infinstor-Version-Id", "X-Content-Type-Options")
#: Jupyter's own credentials stay with Jupyter.
DROPPED_QUERY = {"token", "_xsrf"}
_client = None


def _http() -> AsyncHTTPClient:
    """One client for the proxy, made on the server's running loop. Downloads stream through, so no size limit."""
    global _client
    if _client is None:
        _client = AsyncHTTPClient(force_instance=True, max_body_size=1 << 50, max_clients=32)
    return _client


class HealthHandler(APIHandler):
    def initialize(self, daemon: DaemonManager):
        self.daemon = daemon

    @web.authenticated
    async def get(self):
        try:
            conn = await self.daemon.check()
        except Unavailable as e:
            self.set_status(503)
            self.finish(json.dumps({"message": e.message, "fix": e.fix, "reason": "Unavailable"}))
            return
        self.finish(json.dumps({"name": "infinstor-jupyter", "version": VERSION, **self.daemon.describe(conn)}))


def _upstream_query(raw: str) -> str:
    kept = [p for p in raw.split("&") if p and urllib.parse.unquote_plus(p.split("=", 1)[0]) not in DROPPED_QUERY]
    return "?" + "&".join(kept) if kept else ""


class ProxyHandler(APIHandler):
    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")

    def initialize(self, daemon: DaemonManager):
        self.daemon = daemon
        self._code = None
        self._reason = None
        self._upstream_headers = HTTPHeaders()
        self._began = False

    @web.authenticated
    async def get(self, _path):
        await self._relay()

    @web.authenticated
    async def head(self, _path):
        await self._relay()

    @web.authenticated
    async def post(self, _path):
        await self._relay()

    @web.authenticated
    async def put(self, _path):
        await self._relay()

    @web.authenticated
    async def patch(self, _path):
        await self._relay()

    @web.authenticated
    async def delete(self, _path):
        await self._relay()

    def _fail(self, status: int, message: str) -> None:
        self.set_status(status)
        self.finish(json.dumps({"message": message, "reason": "Unavailable"}))

    async def _relay(self):
        upstream_path = self.request.path[len(url_path_join(self.base_url, "infinstor")):]
        if upstream_path.startswith("/files/"):
            # As Jupyter's own /files: a download by cookie needs the XSRF token (or a same-site Referer),
            # so another site cannot pull files in with the user's cookie.
            self.check_xsrf_cookie()
        try:
            conn = await self.daemon.connection()
        except Unavailable as e:
            self._fail(503, f"{e.message}. " + " ".join(e.fix))
            return
        # The raw path keeps its percent-encoding, so keys with odd characters arrive as sent.
        url = conn.url.rstrip("/") + upstream_path + _upstream_query(self.request.query)
        headers = {k: self.request.headers[k] for k in REQUEST_HEADERS if k in self.request.headers}
        headers["Authorization"] = "token " + conn.token
        method = self.request.method
        request = HTTPRequest(url, method=method, headers=headers,
                              body=self.request.body if method in ("POST", "PUT", "PATCH") else None,
                              header_callback=self._on_header, streaming_callback=self._on_chunk,
                              connect_timeout=10, request_timeout=3600, follow_redirects=False, decompress_response=False)
        response = await _http().fetch(request, raise_error=False)
        if response.code == 599:
            # Nothing (more) came: the next request looks for a daemon again (and restarts ours).
            self.daemon.forget(conn)
            if self._began:
                self.log.warning("InfinStor: the daemon stopped in the middle of %s (%s)", url, response.error)
                self.request.connection.close()
                return
            self._fail(502, f"the InfinStor daemon at {conn.url} did not answer ({response.error}); press Retry in the InfinStor panel")
            return
        self._begin()
        # APIHandler.finish would otherwise label every reply JSON (downloads are not).
        self.finish(set_content_type=self._upstream_headers.get("Content-Type", "application/octet-stream"))

    def _on_header(self, line: str) -> None:
        text = line.strip()
        if text.startswith("HTTP/"):
            # A status line; an interim one (100 Continue) may come before the real one.
            start = parse_response_start_line(text)
            self._code, self._reason = start.code, start.reason
            self._upstream_headers = HTTPHeaders()
        elif text == "":
            if self._code is not None and self._code >= 200:
                self._begin()
        else:
            self._upstream_headers.parse_line(line)

    def _begin(self) -> None:
        if self._began or self._code is None:
            return
        self._began = True
        self.set_status(self._code, self._reason)
        for name in RESPONSE_HEADERS:
            if name in self._upstream_headers:
                self.set_header(name, self._upstream_headers[name])
        # A second policy: both apply, so the daemon's sandbox for downloads stays in force.
        if "Content-Security-Policy" in self._upstream_headers:
            self.add_header("Content-Security-Policy", self._upstream_headers["Content-Security-Policy"])

    def _on_chunk(self, chunk: bytes) -> None:
        self._begin()
        self.write(chunk)
        self.flush()
