"""Serving a Runtime: Socket Mode, or HTTP under waitress."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from slack_bolt.adapter.socket_mode import SocketModeHandler
from waitress import wasyncore
from waitress.server import create_server

from bot.app import Runtime

log = logging.getLogger(__name__)

HTTP_THREADS = 8
# How long stopping waits for the requests in hand (Slack gives up on an answer after 3 seconds anyway).
IN_FLIGHT_SECONDS = 5.0


@dataclass
class HttpServer:
    """A waitress server serving a Runtime's WSGI app; run() blocks, close() stops it."""

    runtime: Runtime
    host: str = "0.0.0.0"
    port: int = 3000
    serve_slack: bool = True  # False in Socket Mode: /healthz, /readyz and /metrics only

    def __post_init__(self) -> None:
        self._server = create_server(
            self.runtime.wsgi(serve_slack=self.serve_slack),
            host=self.host,
            port=self.port,
            threads=HTTP_THREADS,
            ident="rapport",
            clear_untrusted_proxy_headers=True,
        )
        self.port = int(self._server.effective_port)  # type: ignore[union-attr]
        self._stopping = threading.Event()
        self._stop_accepting = threading.Event()
        self._listening = True
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
            if self._stop_accepting.is_set() and self._listening:
                self._listening = False
                wasyncore.dispatcher.close(server)  # the listening socket only: open connections are served on
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

    def close(self, *, timeout: float = IN_FLIGHT_SECONDS) -> None:
        """Stop accepting connections, finish the requests in hand (waiting up to `timeout`), then stop the serving
        loop and let it close its sockets."""
        server: Any = self._server
        deadline = time.monotonic() + timeout
        self._stop_accepting.set()
        self._wake()
        dispatcher = server.task_dispatcher
        while dispatcher.queue and time.monotonic() < deadline:  # requests received but not yet started
            time.sleep(0.02)
        dispatcher.shutdown(cancel_pending=False, timeout=max(0.1, deadline - time.monotonic()))
        self._stopping.set()
        thread: threading.Thread | None = getattr(self, "_thread", None)
        if thread is None or not thread.is_alive():
            self._close_sockets()
            return
        self._wake()
        thread.join(timeout=5)

    def _wake(self) -> None:
        """Wake the loop's select() so that it sees a flag at once."""
        thread: threading.Thread | None = getattr(self, "_thread", None)
        if thread is None or not thread.is_alive():
            return
        with self._sockets_lock:
            if not self._sockets_closed:  # the loop may have seen the flag and closed everything already
                self._server.trigger.pull_trigger()  # type: ignore[union-attr]


def close_socket_mode(handler: SocketModeHandler, runtime: Runtime, *, timeout: float = IN_FLIGHT_SECONDS) -> None:
    """Finish the requests in hand (up to `timeout`: their acknowledgements need the connection), then close it;
    Slack sends what comes next to the app's other connections."""
    if not runtime.deps.observer.wait_idle(timeout):
        log.warning("closing the Socket Mode connection with requests still in hand after %g s", timeout)
    handler.close()


def socket_mode_handler(runtime: Runtime) -> SocketModeHandler:
    """A Socket Mode handler on the runtime's app; its Web API base URL follows SLACK_API_URL."""
    assert runtime.settings.app_token is not None
    return SocketModeHandler(runtime.app, app_token=runtime.settings.app_token)
