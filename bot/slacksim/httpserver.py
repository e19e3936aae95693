"""The simulator's HTTP server: Slack's Web API under /api/ and the response_url links under /response_url/."""

from __future__ import annotations

import email.utils
import functools
import json
import logging
import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.slacksim.state import JsonDict

# (method, query string, body, Content-Type, Authorization) -> (status, JSON body, extra headers)
ApiRoute = Callable[[str, str, bytes, str, str | None], tuple[int, JsonDict, dict[str, str]]]
# (link key, body) -> status
ResponseUrlRoute = Callable[[str, bytes], int]

logger = logging.getLogger(__name__)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    api: ApiRoute
    response_url: ResponseUrlRoute
    clock: Callable[[], float]

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-request (timeouts in fault tests) are expected, not worth a traceback.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        # Slack's `Date` header tells its own time: here the simulator's clock, so a test can skew it.
        return email.utils.formatdate(self.server.clock() if timestamp is None else timestamp, usegmt=True)

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = self._read_chunked()
        else:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path.startswith("/api/"):
            try:
                status, payload, headers = self.server.api(
                    parsed.path[len("/api/") :],
                    parsed.query,
                    body,
                    self.headers.get("Content-Type", ""),
                    self.headers.get("Authorization"),
                )
            except Exception as exc:
                # A simulator bug must surface in the test that hit it, not as a dropped connection.
                logger.exception("slacksim: error answering %s", parsed.path)
                status, payload, headers = 500, {"ok": False, "error": f"sim_internal_error: {exc!r}"}, {}
            self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8", headers)
        elif parsed.path.startswith("/response_url/") and self.command == "POST":
            status = self.server.response_url(parsed.path[len("/response_url/") :], body)
            self._send(status, b"ok" if status == 200 else b"invalid_token", "text/plain", {})
        else:
            self._send(404, b"not found", "text/plain", {})

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                # Skip optional trailers up to the blank line that ends the body.
                while self.rfile.readline().strip():
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class HttpServer:
    """A threaded HTTP server on (host, port) that hands each request to the two routes."""

    def __init__(
        self, *, host: str, port: int, api: ApiRoute, response_url: ResponseUrlRoute, clock: Callable[[], float]
    ) -> None:
        self.host = host
        self._requested_port = port
        self._api = api
        self._response_url = response_url
        self._clock = clock
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def bind(self) -> None:
        """Bind the listening socket (port 0 picks a free one)."""
        server = _Server((self.host, self._requested_port), _Handler)
        server.api = self._api
        server.response_url = self._response_url
        server.clock = self._clock
        self._server = server

    def close(self) -> None:
        """Release a bound socket that never served (a later start step failed)."""
        if self._server is not None:
            self._server.server_close()

    def serve(self) -> None:
        """Serve on a daemon thread."""
        if self._server is None:
            raise RuntimeError("HTTP server not bound")
        # A short poll interval keeps stop() fast; serve_forever only checks for shutdown between polls.
        loop = functools.partial(self._server.serve_forever, poll_interval=0.05)
        self._thread = threading.Thread(target=loop, name="slacksim-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, close the socket and wait (briefly) for the serving thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def port(self) -> int:
        """The bound port."""
        if self._server is None:
            raise RuntimeError("simulator not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """http://HOST:PORT of the server."""
        return f"http://{self.host}:{self.port}"
