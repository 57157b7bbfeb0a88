"""Where this machine's InfinStor pieces are: settings, the HTTP token, running mounts.

The same rules as the daemon's own code (src/config/settings.ts for the config
file, src/server/token.ts for the token, src/fs/mounts.ts for the status files),
so that the kernel helper and the server extension find what `infinstor mount`
wrote. Standard library only: kernels may have nothing else.
"""

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import List, Mapping, Optional

from ._errors import InfinStorError

FS_TYPE = "fuse.infinstor"


def _xdg(env: Mapping[str, str], name: str, fallback: str) -> Path:
    value = env.get(name, "")
    return Path(value) if value else Path.home() / fallback


def config_dir(env: Mapping[str, str] = os.environ) -> Path:
    return _xdg(env, "XDG_CONFIG_HOME", ".config") / "infinstor"


def config_file(env: Mapping[str, str] = os.environ) -> Path:
    given = env.get("INFINSTOR_CONFIG")
    return Path(given) if given is not None else config_dir(env) / "config.json"


def read_config(env: Mapping[str, str] = os.environ) -> dict:
    """The config file's settings; a missing or unreadable file counts as empty (the daemon reports it)."""
    try:
        value = json.loads(config_file(env).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def setting(name: str, env_name: str, env: Mapping[str, str] = os.environ) -> Optional[str]:
    """A setting as the CLI reads it, less the flags: the environment, then the config file."""
    if env.get(env_name, "") != "":
        return env[env_name]
    value = read_config(env).get(name)
    return None if value is None else str(value)


def token_file(env: Mapping[str, str] = os.environ) -> Path:
    given = setting("token-file", "INFINSTOR_TOKEN_FILE", env)
    return Path(given).expanduser() if given else config_dir(env) / "token"


def token(env: Mapping[str, str] = os.environ) -> Optional[str]:
    """The token the daemons on this machine use by default, or None when none was ever made."""
    given = setting("token", "INFINSTOR_TOKEN", env)
    if given:
        return given
    try:
        text = token_file(env).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text or None


def required_token(env: Mapping[str, str] = os.environ) -> str:
    """The token, or an error that says where it was looked for."""
    found = token(env)
    if found is None:
        raise InfinStorError(f"no InfinStor token: {token_file(env)} is missing; set INFINSTOR_TOKEN to the daemon's token")
    return found


def state_dir(env: Mapping[str, str] = os.environ) -> Path:
    return _xdg(env, "XDG_STATE_HOME", ".local/state") / "infinstor" / "mounts"


@dataclass(frozen=True)
class Mount:
    mountpoint: str
    pid: int
    started: str
    #: The HTTP API served beside the mount (the same tree and cache), when it started.
    http: Optional[str] = None
    endpoint: Optional[str] = None


def _alive(pid: int) -> bool:
    """True while pid runs; a zombie counts as gone (as in src/fs/mounts.ts)."""
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except OSError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2:stat.rindex(")") + 3] != "Z"


def _unescape(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as octal escapes."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _mounted_infinstor() -> set:
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return set()
    points = set()
    for line in lines:
        parts = line.split(" ")
        if len(parts) > 2 and parts[2] == FS_TYPE:
            points.add(_unescape(parts[1]))
    return points


def mounts(env: Mapping[str, str] = os.environ) -> List[Mount]:
    """The live InfinStor mounts on this machine, newest first: status file, process and kernel table agree."""
    mounted = _mounted_infinstor()
    found = []
    for path in sorted(state_dir(env).glob("*.json")):
        try:
            s = json.loads(path.read_text(encoding="utf-8"))
            m = Mount(mountpoint=str(s["mountpoint"]), pid=int(s["pid"]), started=str(s.get("started", "")),
                      http=s.get("http"), endpoint=s.get("endpoint"))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if m.mountpoint in mounted and _alive(m.pid):
            found.append(m)
    return sorted(found, key=lambda m: m.started, reverse=True)
