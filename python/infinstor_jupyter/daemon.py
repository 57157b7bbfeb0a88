"""Which InfinStor daemon the drive talks to, and the one this extension starts when there is none.

A running `infinstor mount` serves the same HTTP API over the mount's own tree
and cache: reusing it means the drive and the plain paths share one cache. When
no mount serves HTTP (or its token is not the one in the token file), the
extension runs `infinstor serve` on a free loopback port with a token that only
it knows, and stops it with the Jupyter server.
"""

import asyncio
import collections
import ctypes
import json
import os
import re
import secrets
import shutil
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from infinstor import _local

PROBE_TIMEOUT_S = 10
SERVING = re.compile(r"serving on (http://\S+)")


class Unavailable(Exception):
    """No daemon can be used; `fix` lists what to do, one step per line."""

    def __init__(self, message: str, fix: List[str]):
        super().__init__(message)
        self.message = message
        self.fix = fix


@dataclass
class Connection:
    url: str
    token: str
    #: 'mount': a running mount's server (one cache with the mount); 'started': ours.
    source: str
    info: dict
    mount: Optional[_local.Mount] = None


@dataclass
class MountNote:
    """A running mount, and whether the drive shares its server (and cache)."""
    mount: _local.Mount
    shared: bool
    why: str = ""


def _die_with_parent() -> None:
    """Linux: the daemon gets SIGTERM if the Jupyter server dies without stopping it."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


async def probe(url: str, token: str) -> dict:
    """GET /api/infinstor/info: the daemon's name, version and S3 endpoint."""
    res = await AsyncHTTPClient().fetch(url.rstrip("/") + "/api/infinstor/info", headers={"Authorization": "token " + token},
                                        request_timeout=PROBE_TIMEOUT_S, connect_timeout=PROBE_TIMEOUT_S)
    info = json.loads(res.body)
    if not isinstance(info, dict) or info.get("name") != "infinstor":
        raise ValueError(f"{url} is not an InfinStor server")
    return info


def find_command(configured: List[str], env=os.environ) -> List[str]:
    """The `infinstor` command: the setting, else PATH, else $INFINSTOR_HOME/bin/infinstor (a checkout)."""
    if configured:
        exe = configured[0]
        if shutil.which(exe, path=env.get("PATH")) is None:
            raise Unavailable(f"the command in the setting InfinStorExtension.command ({exe}) is not an executable",
                              ["Correct c.InfinStorExtension.command in jupyter_server_config.py, then restart JupyterLab"])
        return list(configured)
    on_path = shutil.which("infinstor", path=env.get("PATH"))
    if on_path is not None:
        return [on_path]
    home = env.get("INFINSTOR_HOME", "")
    if home:
        candidate = Path(home) / "bin" / "infinstor"
        if os.access(candidate, os.X_OK):
            return [str(candidate)]
        raise Unavailable(f"INFINSTOR_HOME is {home}, but {candidate} is not an executable",
                          ["Set INFINSTOR_HOME to an InfinStor checkout (the folder with bin/infinstor), then restart JupyterLab"])
    raise Unavailable("the Jupyter server cannot find the infinstor command",
                      ["Put infinstor on the PATH of the Jupyter server (for a checkout: `export PATH=<checkout>/bin:$PATH`)",
                       "or set `INFINSTOR_HOME=<checkout>` in the Jupyter server's environment",
                       "or set `c.InfinStorExtension.command = ['/path/to/infinstor']` in jupyter_server_config.py",
                       "then restart JupyterLab"])


@dataclass
class Started:
    process: asyncio.subprocess.Process
    command: List[str]
    output: collections.deque = field(default_factory=lambda: collections.deque(maxlen=40))


class DaemonManager:
    def __init__(self, command: List[str], use_mount: bool, start_timeout: float, log):
        self.command = command
        self.use_mount = use_mount
        self.start_timeout = start_timeout
        self.log = log
        self._conn: Optional[Connection] = None
        self._started: Optional[Started] = None
        self._lock = asyncio.Lock()
        self.mount_note: Optional[MountNote] = None

    async def connection(self) -> Connection:
        async with self._lock:
            if self._conn is None:
                self._conn = await self._find()
            return self._conn

    def forget(self, conn: Connection) -> None:
        """The connection stopped answering: the next request looks again (and restarts ours if it died)."""
        if self._conn is conn:
            self._conn = None

    async def check(self) -> Connection:
        """A connection that answers now; one that stopped answering is replaced."""
        conn = await self.connection()
        try:
            conn.info = await probe(conn.url, conn.token)
            return conn
        except Exception as e:  # any failure means: look again
            self.log.info("InfinStor daemon at %s stopped answering (%s); looking again", conn.url, e)
            self.forget(conn)
            return await self.connection()

    async def _find(self) -> Connection:
        self.mount_note = None
        mounts = _local.mounts()
        if mounts:
            why = ("it serves no HTTP API (mounted with --no-serve)" if self.use_mount
                   else "reusing mounts is turned off (c.InfinStorExtension.use_mount = False)")
            self.mount_note = MountNote(mounts[0], shared=False, why=why)
        for m in mounts if self.use_mount else []:
            if not m.http:
                continue
            token = _local.token()
            try:
                info = await probe(m.http, token or "")
            except HTTPClientError as e:
                why = (f"its server refused the token in {_local.token_file()}" if e.code == 401
                       else f"its server answered {e.code}")
                self.mount_note = MountNote(m, shared=False, why=why)
                continue
            except Exception as e:
                self.mount_note = MountNote(m, shared=False, why=f"its server did not answer ({e})")
                continue
            self.mount_note = MountNote(m, shared=True)
            self.log.info("InfinStor: using the server of the mount at %s (%s)", m.mountpoint, m.http)
            return Connection(url=m.http, token=token or "", source="mount", info=info, mount=m)
        return await self._start()

    async def _start(self) -> Connection:
        if self._started is not None and self._started.process.returncode is None:
            await self.stop()
        command = find_command(self.command)
        token = secrets.token_hex(24)
        env = {**os.environ, "INFINSTOR_TOKEN": token}
        argv = [*command, "serve", "--host", "127.0.0.1", "--port", "0"]
        try:
            process = await asyncio.create_subprocess_exec(
                *argv, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT, preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        except OSError as e:
            raise Unavailable(f"cannot run {command[0]}: {e}", ["Check c.InfinStorExtension.command, then restart JupyterLab"]) from None
        started = Started(process=process, command=argv)
        self._started = started
        try:
            url = await asyncio.wait_for(self._serving_url(started), self.start_timeout)
        except asyncio.TimeoutError:
            await self.stop()
            raise Unavailable(f"`{' '.join(argv)}` did not start within {self.start_timeout:.0f} s",
                              ["See the Jupyter server's log for the daemon's output, then press Retry"]) from None
        if url is None:
            code = await process.wait()
            tail = "\n".join(started.output) or "no output"
            raise Unavailable(f"`{' '.join(argv)}` stopped (exit code {code}): {tail}",
                              ["Fix what the daemon says (often the S3 settings: AWS_ENDPOINT_URL and credentials "
                               "in the Jupyter server's environment), then press Retry"])
        asyncio.ensure_future(self._drain(started))
        try:
            info = await probe(url, token)
        except Exception as e:
            await self.stop()
            raise Unavailable(f"the daemon started at {url} but does not answer: {e}", ["Press Retry"]) from None
        self.log.info("InfinStor: started %s (pid %d) at %s", " ".join(argv), process.pid, url)
        return Connection(url=url, token=token, source="started", info=info)

    async def _serving_url(self, started: Started) -> Optional[str]:
        """Reads the daemon's output until it says where it serves; None if it exits first."""
        while True:
            line = await started.process.stdout.readline()
            if not line:
                return None
            text = line.decode("utf-8", "replace").rstrip()
            started.output.append(text)
            m = SERVING.search(text)
            if m:
                return m.group(1)

    async def _drain(self, started: Started) -> None:
        """Passes the daemon's later output to the Jupyter log (and keeps the pipe from filling)."""
        while True:
            line = await started.process.stdout.readline()
            if not line:
                return
            text = line.decode("utf-8", "replace").rstrip()
            started.output.append(text)
            self.log.info("infinstor serve: %s", text)

    async def stop(self) -> None:
        started, self._started = self._started, None
        if self._conn is not None and self._conn.source == "started":
            self._conn = None
        if started is None or started.process.returncode is not None:
            return
        started.process.terminate()
        try:
            await asyncio.wait_for(started.process.wait(), 10)
        except asyncio.TimeoutError:
            started.process.kill()
            await started.process.wait()
        self.log.info("InfinStor: stopped the daemon (pid %d)", started.process.pid)

    def describe(self, conn: Connection) -> dict:
        """What /infinstor/health reports: the daemon, and whether a mount runs and where."""
        info = conn.info
        daemon = {"source": conn.source, "url": conn.url, "version": info.get("version"),
                  "endpoint": info.get("endpoint"), "region": info.get("region"), "labelStore": info.get("labelStore")}
        if conn.source == "started" and self._started is not None:
            daemon["pid"] = self._started.process.pid
            daemon["command"] = " ".join(self._started.command)
        return {"daemon": daemon, "mount": self._mount_report(conn)}

    def _mount_report(self, conn: Connection) -> Optional[dict]:
        if conn.source == "mount" and conn.mount is not None:
            return {"mountpoint": conn.mount.mountpoint, "pid": conn.mount.pid, "sharesCache": True}
        live = _local.mounts()
        if not live:
            return None
        m = live[0]
        note = self.mount_note
        why = (note.why if note is not None and note.mount == m
               else "it started after the drive's daemon: restart the Jupyter server to share the mount's cache")
        return {"mountpoint": m.mountpoint, "pid": m.pid, "sharesCache": False, "why": why}
