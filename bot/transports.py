"""Serving a Runtime: Socket Mode, or HTTP under waitress."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from slack_bolt.adapter.socket_mode import SocketModeHandler
from waitress.server import create_server

from bot.app import Runtime

log = logging.getLogger(__name__)

HTTP_THREADS = 8


@dataclass
class HttpServer:
    """A waitress server serving a Runtime's WSGI app; run() blocks, close() stops it."""

    runtime: Runtime
    host: str = "0.0.0.0"
    port: int = 3000

    def __post_init__(self) -> None:
        self._server = create_server(
            self.runtime.wsgi(), host=self.host, port=self.port, threads=HTTP_THREADS, ident="rapport",
            clear_untrusted_proxy_headers=True,
        )  # fmt: skip
        self.port = int(self._server.effective_port)  # type: ignore[union-attr]

    @property
    def url(self) -> str:
        """The base URL the server listens on."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    def run(self) -> None:
        """Serve until close()."""
        self._server.run()

    def start_in_thread(self) -> threading.Thread:
        """Serve on a daemon thread (tests and the demo)."""
        self._thread = threading.Thread(target=self.run, name="rapport-http", daemon=True)
        self._thread.start()
        return self._thread

    def close(self) -> None:
        """Finish the requests in hand, then stop the loop and close the listening socket."""
        # Closing first would pull the trigger of a closed loop from a still-working handler thread.
        self._server.task_dispatcher.shutdown(cancel_pending=False, timeout=5)  # type: ignore[union-attr]
        self._server.close()
        thread = getattr(self, "_thread", None)
        if thread is not None:
            thread.join(timeout=5)


def socket_mode_handler(runtime: Runtime) -> SocketModeHandler:
    """A Socket Mode handler on the runtime's app; its Web API base URL follows SLACK_API_URL."""
    assert runtime.settings.app_token is not None
    return SocketModeHandler(runtime.app, app_token=runtime.settings.app_token)
