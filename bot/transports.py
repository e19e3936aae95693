"""Serving a Runtime: Socket Mode, or HTTP under waitress."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from slack_bolt.adapter.socket_mode import SocketModeHandler
from waitress import wasyncore
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
            self.runtime.wsgi(),
            host=self.host,
            port=self.port,
            threads=HTTP_THREADS,
            ident="rapport",
            clear_untrusted_proxy_headers=True,
        )
        self.port = int(self._server.effective_port)  # type: ignore[union-attr]
        self._stopping = threading.Event()
        self._sockets_lock = threading.Lock()  # the trigger is pulled only while its socket is open
        self._sockets_closed = False

    @property
    def url(self) -> str:
        """The base URL the server listens on."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    def run(self) -> None:
        """Serve until close(); the sockets are closed by this same thread, never under its select()."""
        server: Any = self._server
        while not self._stopping.is_set():
            wasyncore.loop(
                timeout=server.adj.asyncore_loop_timeout,
                map=server._map,
                count=1,
                use_poll=server.adj.asyncore_use_poll,
            )
        self._close_sockets()

    def _close_sockets(self) -> None:
        with self._sockets_lock:
            if not self._sockets_closed:
                self._sockets_closed = True
                wasyncore.close_all(self._server._map, ignore_all=True)  # type: ignore[union-attr]

    def start_in_thread(self) -> threading.Thread:
        """Serve on a daemon thread (tests and the demo)."""
        self._thread = threading.Thread(target=self.run, name="rapport-http", daemon=True)
        self._thread.start()
        return self._thread

    def close(self) -> None:
        """Finish the requests in hand, then stop the serving loop and let it close its sockets."""
        server: Any = self._server
        server.task_dispatcher.shutdown(cancel_pending=False, timeout=5)
        self._stopping.set()
        thread: threading.Thread | None = getattr(self, "_thread", None)
        if thread is None or not thread.is_alive():
            self._close_sockets()
            return
        with self._sockets_lock:
            if not self._sockets_closed:  # the loop may have seen the flag and closed everything already
                server.trigger.pull_trigger()  # wake the loop's select() so it sees the flag at once
        thread.join(timeout=5)


def socket_mode_handler(runtime: Runtime) -> SocketModeHandler:
    """A Socket Mode handler on the runtime's app; its Web API base URL follows SLACK_API_URL."""
    assert runtime.settings.app_token is not None
    return SocketModeHandler(runtime.app, app_token=runtime.settings.app_token)
