"""Views (a bucket, a folder in it, at a time, over a slice or at a label) and the files in them."""

import re
from dataclasses import dataclass
from typing import Optional, Tuple

from ._daemon import Daemon, NotFound, quote_path
from ._errors import InfinStorError, NotInView


@dataclass(frozen=True)
class View:
    bucket: str
    #: The canonical spec: a UTC time, a slice A..B, "latest", or a label's name.
    spec: str
    #: Where the view is rooted in the bucket's keys: a label's path, or a folder given with `use`.
    root: str
    #: For a label: the time or slice it names.
    label_spec: Optional[str] = None
    #: The folder the view was asked for, below the spec's own root (mount path segments).
    folder: str = ""

    @property
    def text(self) -> str:
        return f"{self.bucket}{'/' + self.folder if self.folder else ''}@{self.spec}"

    @property
    def described(self) -> str:
        """The view, and for a label what it stands for: 'sales@train-v3 = sales/q4/@2022-12-06T00:00:00Z'."""
        if self.label_spec is None:
            return self.text
        return f"{self.text} = {self.bucket}/{self.root}@{self.label_spec}"


@dataclass(frozen=True)
class FileVersion:
    key: str
    version_id: str
    size: int
    etag: str
    last_modified: str


def split_target(text: str) -> Tuple[str, str, Optional[str]]:
    """'s3://bucket/path@spec' (s3:// and @spec optional) -> (bucket, path, spec).

    As in the CLI, the spec is what follows the last '@' when it holds no '/'.
    """
    rest = text[5:] if text.startswith("s3://") else text
    spec = None
    at = rest.rfind("@")
    if at >= 0 and "/" not in rest[at + 1:]:
        rest, spec = rest[:at], rest[at + 1:]
    bucket, _, path = rest.strip("/").partition("/") if rest.startswith("/") else rest.partition("/")
    if not bucket:
        raise InfinStorError(f"{text!r} names no bucket: write 'bucket/path', e.g. 'sales/q4/train.csv'")
    return bucket, path, spec


def resolve(daemon: Daemon, bucket: str, at: Optional[str], folder: str = "") -> View:
    """Checks a view with the daemon (spec, label, bucket, versioning) and returns its canonical form."""
    text = "latest" if at is None or str(at).strip() == "" else str(at).strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9.\-]{1,62}", bucket):
        raise InfinStorError(f"{bucket!r} is not a bucket name")
    try:
        spec = daemon.json("/api/infinstor/specs", {"text": text, "bucket": bucket})
    except NotFound as e:
        raise InfinStorError(f"{bucket}@{text}: {e}") from None
    except InfinStorError as e:
        raise InfinStorError(f"{bucket}@{text} is not a view: {e}") from None
    view = View(bucket=bucket, spec=spec["canonical"], root=spec.get("prefix", ""),
                label_spec=spec.get("spec") if spec["kind"] == "label" else None, folder=folder.strip("/"))
    # The view's folder, looked up as the mount would: an unknown bucket, a bucket without
    # versioning, or a folder with nothing live in it then fails here, with the daemon's reason.
    try:
        info = daemon.json("/api/contents/" + quote_path(mount_relpath(view, "")), {"content": "0"})
    except InfinStorError as e:
        raise InfinStorError(f"{view.text}: {e}") from None
    if info.get("type") != "directory":
        raise InfinStorError(f"{view.text}: {view.folder} is a file, not a folder")
    return view


def mount_relpath(view: View, path: str) -> str:
    """The path below the mount point: BUCKET/@SPEC/folder/path."""
    parts = [view.bucket, "@" + view.spec, view.folder, path.strip("/")]
    return "/".join(p for p in parts if p)


def stat(daemon: Daemon, view: View, path: str) -> Optional[FileVersion]:
    """The version a file has in the view; None for a folder; an error when neither is there."""
    rel = "/".join(p for p in (view.folder, path.strip("/")) if p)
    try:
        h = {k.lower(): v for k, v in daemon.head(
            f"/api/infinstor/buckets/{view.bucket}/object", {"spec": view.spec, "key": rel}).items()}
        return FileVersion(key=view.root + rel, version_id=h["x-infinstor-version-id"], size=int(h["content-length"]),
                           etag=h.get("etag", ""), last_modified=h.get("last-modified", ""))
    except NotFound:
        pass
    # Not a file: a folder, or nothing. The contents lookup says which, in the daemon's words.
    try:
        info = daemon.json("/api/contents/" + quote_path(mount_relpath(view, path)), {"content": "0"})
    except NotFound as e:
        raise NotInView(f"{path!r} is not in {view.text}: {e}") from None
    if info.get("type") == "directory":
        return None
    raise NotInView(f"{path!r} in {view.text} has a name the mount changed (see the README, "
                            "'Keys that are not file names'); use the name the mount shows")
