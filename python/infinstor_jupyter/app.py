from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Float, List, Unicode

from .daemon import DaemonManager
from .handlers import PROXIED, HealthHandler, ProxyHandler
from .lineage import make_pre_save_hook


class InfinStorExtension(ExtensionApp):
    """The InfinStor drive's server side: <base_url>/infinstor/ for the drive, and notebook lineage on save."""

    name = "infinstor_jupyter"

    command = List(Unicode(), default_value=[], help=(
        "The infinstor command (and any leading arguments), e.g. ['/opt/infinstor/bin/infinstor']. "
        "Default: infinstor on PATH, else $INFINSTOR_HOME/bin/infinstor.")).tag(config=True)
    use_mount = Bool(True, help=(
        "Serve the drive from a running `infinstor mount`'s server when there is one, "
        "so the drive and the mount share one cache.")).tag(config=True)
    start_timeout = Float(60.0, help="Seconds to wait for `infinstor serve` to start.").tag(config=True)

    def initialize_settings(self):
        self.daemon = DaemonManager(self.command, self.use_mount, self.start_timeout, self.log)
        self.serverapp.contents_manager.register_pre_save_hook(make_pre_save_hook(self.serverapp, self.log))

    def initialize_handlers(self):
        self.handlers.extend([
            (r"/infinstor/health", HealthHandler, {"daemon": self.daemon}),
            (PROXIED, ProxyHandler, {"daemon": self.daemon}),
        ])

    async def stop_extension(self):
        await self.daemon.stop()
