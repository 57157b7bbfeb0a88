"""The kernel's line to the mount's HTTP server: the same engine, labels and cache as the mount.

Asking the mount (rather than running `infinstor stat --json`) means one
loopback request per question instead of a Node process per question, answers
from the very cache the mount reads through, and no S3 credentials in the
kernel: the answers are exactly what the plain paths will show.
"""

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Mapping, Optional, Tuple

from . import _local
from ._errors import InfinStorError

TIMEOUT_S = 120


class NotFound(InfinStorError):
    """The daemon answered 404: no such bucket, label, key or path at that time."""


class Daemon:
    def __init__(self, url: str, token: str, mount: _local.Mount):
        self.url = url.rstrip("/")
        self.token = token
        self.mount = mount

    def _request(self, method: str, path: str, query: Optional[Mapping[str, str]] = None) -> Tuple[dict, bytes]:
        url = self.url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        req = urllib.request.Request(url, method=method, headers={"Authorization": "token " + self.token})
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT_S) as res:
                return dict(res.headers.items()), res.read()
        except urllib.error.HTTPError as e:
            body = e.read()
            try:
                message = json.loads(body).get("message") or body.decode("utf-8", "replace")
            except ValueError:
                message = body.decode("utf-8", "replace") or e.reason
            if e.code == 401:
                raise InfinStorError(
                    f"the InfinStor mount's server at {self.url} refused the token in {_local.token_file()}; "
                    "was the mount started with another --token? Set INFINSTOR_TOKEN to it in the kernel's environment") from None
            if e.code == 404:
                raise NotFound(message) from None
            raise InfinStorError(message) from None
        except OSError as e:
            raise InfinStorError(f"the InfinStor mount's server at {self.url} did not answer ({e}); "
                                 f"is the mount at {self.mount.mountpoint} still running? (infinstor mount --status)") from None

    def json(self, path: str, query: Optional[Mapping[str, str]] = None):
        return json.loads(self._request("GET", path, query)[1])

    def head(self, path: str, query: Optional[Mapping[str, str]] = None) -> dict:
        return self._request("HEAD", path, query)[0]


def quote_path(path: str) -> str:
    return "/".join(urllib.parse.quote(seg, safe="") for seg in path.split("/"))


def connect() -> Daemon:
    """The newest running mount that serves HTTP, or an error that says how to start one."""
    found = _local.mounts()
    if not found:
        raise InfinStorError(
            "no InfinStor mount is running on this machine: plain paths need one. "
            "Start it with `infinstor mount /infinstor` (in a terminal, or `!infinstor mount /infinstor` here)")
    served = [m for m in found if m.http]
    if not served:
        raise InfinStorError(
            f"the InfinStor mount at {found[0].mountpoint} runs without its HTTP server (--no-serve), "
            "which the helper asks about views and versions; remount without --no-serve")
    return Daemon(served[0].http, _local.required_token(), served[0])
