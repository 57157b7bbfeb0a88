"""Writes what a notebook's kernel read into the notebook's metadata when it is saved.

The kernel helper (infinstor._lineage) keeps its record in
infinstor-lineage-<kernel id>.json beside the kernel's connection file. On
save, this hook finds the kernel of the notebook's session and copies that
record into metadata.infinstor.lineage, so that the notebook file says which
data, at which versions, it read.
"""

import json
import os
from typing import Optional


def _session_kernel(serverapp, path: str) -> Optional[str]:
    sessions = serverapp.session_manager
    # The hook runs synchronously inside save(); the session table is a local SQLite table.
    row = sessions.cursor.execute("SELECT kernel_id FROM session WHERE path=?", (path,)).fetchone()
    return None if row is None else row[0]


def _kernel_pid(serverapp, kernel_id: str) -> Optional[int]:
    try:
        return getattr(serverapp.kernel_manager.get_kernel(kernel_id).provisioner, "pid", None)
    except Exception:
        return None


def kernel_lineage(serverapp, path: str) -> Optional[list]:
    kernel_id = _session_kernel(serverapp, path)
    if kernel_id is None:
        return None
    record = os.path.join(serverapp.kernel_manager.connection_dir, f"infinstor-lineage-{kernel_id}.json")
    try:
        with open(record, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    pid = _kernel_pid(serverapp, kernel_id)
    # A restarted kernel keeps its id: a record from its previous process is not this one's.
    if pid is not None and data.get("pid") != pid:
        return None
    return data.get("lineage") or None


def make_pre_save_hook(serverapp, log):
    def hook(model, path, contents_manager, **kwargs):
        if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
            return
        try:
            lineage = kernel_lineage(serverapp, path.strip("/"))
        except Exception as e:  # a save must never fail for want of lineage
            log.warning("InfinStor: no lineage for %s: %s", path, e)
            return
        if lineage:
            metadata = model["content"].setdefault("metadata", {})
            metadata["infinstor"] = {"lineage": lineage}

    return hook
