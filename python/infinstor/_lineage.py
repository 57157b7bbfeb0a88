"""What data a kernel read: every view it resolved, and the versions of the files it opened through the helper.

The record goes three places: `infinstor.lineage()`; a file beside the kernel's
connection file, which the server extension copies into the notebook's metadata
when the notebook is saved; and MLflow run parameters while a run is active.
"""

import json
import os
import sys
from typing import Dict, List, Optional

from ._views import FileVersion, View

_views: Dict[View, List[FileVersion]] = {}
#: Per MLflow run id: how many views are logged to it already.
_logged: Dict[str, int] = {}


def _entry(view: View, files: List[FileVersion]) -> dict:
    out = {"view": view.text, "bucket": view.bucket, "spec": view.spec, "root": view.root}
    if view.folder:
        out["folder"] = view.folder
    if view.label_spec is not None:
        out["label_spec"] = view.label_spec
    out["files"] = [{"key": f.key, "version_id": f.version_id, "size": f.size, "etag": f.etag,
                     "last_modified": f.last_modified} for f in files]
    return out


def record(view: View, file: Optional[FileVersion] = None) -> None:
    files = _views.setdefault(view, [])
    if file is not None and file not in files:
        files.append(file)
    _write_kernel_file()
    _log_mlflow()


def entries() -> List[dict]:
    return [_entry(v, files) for v, files in _views.items()]


def _kernel_file() -> Optional[str]:
    """infinstor-lineage-<kernel id>.json beside the kernel's connection file, when this runs in a Jupyter kernel."""
    try:
        from ipykernel.connect import get_connection_file
        connection = get_connection_file()
    except Exception:
        return None
    name = os.path.basename(connection)
    if not (name.startswith("kernel-") and name.endswith(".json")):
        return None
    return os.path.join(os.path.dirname(connection), f"infinstor-lineage-{name[7:-5]}.json")


def _write_kernel_file() -> None:
    path = _kernel_file()
    if path is None:
        return
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"pid": os.getpid(), "lineage": entries()}, f)
    os.replace(tmp, path)


def _log_mlflow() -> None:
    """Logs each view once per active run as a parameter `infinstor.view.N` (N: its place in the lineage).

    A run can only be active once mlflow is imported, so an mlflow that was never
    imported is not imported here (it is slow to import).
    """
    mlflow = sys.modules.get("mlflow")
    run = mlflow.active_run() if mlflow is not None else None
    if run is None:
        return
    run_id = run.info.run_id
    views = list(_views)
    for i in range(_logged.get(run_id, 0), len(views)):
        mlflow.log_param(f"infinstor.view.{i}", views[i].described)
    _logged[run_id] = len(views)
