"""InfinStor in notebook code: plain mount paths for views, and a record of what was read.

    import infinstor
    df = pd.read_csv(infinstor.path("sales/q4/train.csv", at="2022-12-06T00:00:00Z"))

    %load_ext infinstor
    %infinstor use sales@train-v3
    df = pd.read_csv(infinstor.path("q4/train.csv"))
    infinstor.lineage()
"""

import os
from typing import Dict, List, Optional, Tuple

from . import _lineage
from ._daemon import Daemon, connect
from ._errors import InfinStorError
from ._s3 import S3Endpoint
from ._s3 import endpoint as _s3_endpoint
from ._views import View, mount_relpath, resolve, split_target, stat

__all__ = ["InfinStorError", "S3Endpoint", "View", "lineage", "load_ipython_extension", "path", "s3_endpoint", "use",
           "view"]

_current: Optional[View] = None
#: Views never change meaning (times are fixed, labels immutable): each is checked once.
_resolved: Dict[Tuple[str, str, str, str], View] = {}


def _resolve(daemon: Daemon, bucket: str, at: Optional[str], folder: str = "") -> View:
    key = (daemon.url, bucket, "" if at is None else str(at).strip(), folder.strip("/"))
    if key not in _resolved:
        _resolved[key] = resolve(daemon, bucket, at, folder)
    return _resolved[key]


def use(target: str) -> View:
    """Makes 'bucket[/folder]@spec' the view that later path() calls without at= are relative to."""
    global _current
    bucket, folder, spec = split_target(target)
    view = _resolve(connect(), bucket, spec, folder)
    _lineage.record(view)
    _current = view
    return view


def view() -> Optional[View]:
    """The view set by use() or %infinstor use, if any."""
    return _current


def path(path: str, at: Optional[str] = None) -> str:
    """The plain mount path of a file or folder in a view, recorded in the lineage.

    With at= (a time, a slice, 'latest' or a label), `path` is 'bucket/key'; without
    it, `path` is relative to the view chosen by use(), else 'bucket/key@spec' (or
    'bucket/key', meaning latest). Errors say what is missing: no mount, no such
    view, no such file at that time.
    """
    daemon = connect()
    if at is None and _current is not None:
        target, rel = _current, path
    else:
        bucket, rel, spec = split_target(path)
        if at is not None and spec is not None:
            raise InfinStorError(f"{path!r} names its view with @{spec}, and at={at!r} names another: give one")
        target = _resolve(daemon, bucket, at if at is not None else spec)
    version = stat(daemon, target, rel)
    _lineage.record(target, version)
    return os.path.join(daemon.mount.mountpoint, mount_relpath(target, rel))


def lineage() -> List[dict]:
    """Every view this kernel resolved, in order, with the versions of the files opened in it."""
    return _lineage.entries()


def s3_endpoint(at: Optional[str] = None) -> S3Endpoint:
    """The InfinStor S3 gateway on this machine (endpoint, credentials), for boto3, pyarrow or polars.

    With at=, keys are read in that view: endpoint.uri('sales', 'q4/train.csv') is
    's3://sales/@SPEC/q4/train.csv'. Raises InfinStorError when no gateway answers.
    """
    spec = None
    if at is not None:
        spec = str(at).strip()
        try:
            daemon = connect()
        except InfinStorError:
            daemon = None
        if daemon is not None:
            spec = daemon.json("/api/infinstor/specs", {"text": spec})["canonical"]
    return _s3_endpoint(spec)


def load_ipython_extension(ipython) -> None:
    from ._magic import register
    register(ipython)
