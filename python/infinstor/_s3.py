"""The S3 gateway's address, for clients that speak S3 (boto3, pyarrow, polars).

The gateway is another piece of InfinStor (its own issue) and had not landed
when this was written: this follows its planned shape. It answers on loopback at
the port of the setting `s3-port` (INFINSTOR_S3_PORT, default 8942), and a view
is the first segment of the key: s3://BUCKET/@SPEC/KEY.
"""

import os
import socket
import urllib.parse
from dataclasses import dataclass
from typing import Optional

from . import _local
from ._errors import InfinStorError

DEFAULT_PORT = 8942


@dataclass(frozen=True)
class S3Endpoint:
    endpoint_url: str
    aws_access_key_id: str
    aws_secret_access_key: str
    region_name: str
    #: The canonical spec of the view (None: give one per key with uri()).
    spec: Optional[str] = None

    def boto3(self) -> dict:
        """Keyword arguments for boto3.client('s3', **...)."""
        return {"endpoint_url": self.endpoint_url, "aws_access_key_id": self.aws_access_key_id,
                "aws_secret_access_key": self.aws_secret_access_key, "region_name": self.region_name}

    def pyarrow(self) -> dict:
        """Keyword arguments for pyarrow.fs.S3FileSystem(**...)."""
        parsed = urllib.parse.urlsplit(self.endpoint_url)
        return {"endpoint_override": parsed.netloc, "scheme": parsed.scheme, "access_key": self.aws_access_key_id,
                "secret_key": self.aws_secret_access_key, "region": self.region_name}

    def key(self, key: str, at: Optional[str] = None) -> str:
        """The key to ask the gateway for: '@SPEC/key'."""
        spec = at if at is not None else self.spec
        if spec is None:
            raise InfinStorError("no view: give at= to s3_endpoint() or to key()")
        return f"@{spec}/{key.lstrip('/')}"

    def uri(self, bucket: str, key: str, at: Optional[str] = None) -> str:
        return f"s3://{bucket}/{self.key(key, at)}"


def _port() -> int:
    text = _local.setting("s3-port", "INFINSTOR_S3_PORT") or str(DEFAULT_PORT)
    try:
        port = int(text)
    except ValueError:
        raise InfinStorError(f"the setting s3-port (INFINSTOR_S3_PORT) must be a port number, not {text!r}") from None
    if not 0 < port < 65536:
        raise InfinStorError(f"the setting s3-port (INFINSTOR_S3_PORT) must be a port number, not {port}")
    return port


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return s.recv(5) == b"HTTP/"
    except OSError:
        return False


def endpoint(spec: Optional[str]) -> S3Endpoint:
    port = _port()
    if not _answers(port):
        raise InfinStorError(
            f"no InfinStor S3 gateway answers at http://127.0.0.1:{port} (the setting s3-port, INFINSTOR_S3_PORT); "
            "start the gateway on this machine first, or read through the mount with infinstor.path()")
    return S3Endpoint(endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id="infinstor",
                      aws_secret_access_key=_local.required_token(), region_name=os.environ.get("AWS_REGION", "us-east-1"),
                      spec=spec)
