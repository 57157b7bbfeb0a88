"""The InfinStor Jupyter server extension (see app.InfinStorExtension)."""

from .app import InfinStorExtension


def _jupyter_server_extension_points():
    return [{"module": "infinstor_jupyter", "app": InfinStorExtension}]
