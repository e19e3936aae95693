"""The simulator's Socket Mode server: the WebSocket a Socket Mode client opens after apps.connections.open."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from bot.slacksim.state import JsonDict, SimState

MAX_SOCKET_CONNECTIONS = 10


@dataclass(frozen=True)
class SocketAck:
    """What came back for an envelope sent over Socket Mode: the ack's payload, or no ack in time."""

    acked: bool
    payload: JsonDict | None


@dataclass
class _PendingAck:
    event: threading.Event = field(default_factory=threading.Event)
    payload: JsonDict | None = None


class _SocketConn:
    """A live Socket Mode connection; sends are serialised because delivery runs on caller threads."""

    def __init__(self, conn: ServerConnection) -> None:
        self.conn = conn
        self.lock = threading.Lock()

    def send(self, message: JsonDict) -> None:
        with self.lock:
            self.conn.send(json.dumps(message))


class SocketModeServer:
    """Accepts Socket Mode clients holding a ticket, says hello, sends envelopes round-robin and waits for acks."""

    def __init__(self, *, state: SimState, cond: threading.Condition, host: str, port: int) -> None:
        self.ack_timeout = 3.0
        self._state = state
        self._cond = cond
        self._host = host
        self._requested_port = port
        self._sockets: list[_SocketConn] = []
        self._pending: dict[str, _PendingAck] = {}
        self._rr = 0
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._running = False
        self._started_at = ""

    # --- lifecycle -----------------------------------------------------------------------------------

    def bind(self) -> None:
        """Bind the listening socket (port 0 picks a free one)."""
        self._server = serve(
            self._handle,
            self._host,
            self._requested_port,
            process_request=self._check_ticket,
            close_timeout=2,
            compression=None,
        )

    def serve(self) -> None:
        """Serve on a daemon thread."""
        if self._server is None:
            raise RuntimeError("Socket Mode server not bound")
        self._running = True
        self._started_at = time.strftime("%Y-%m-%d %H:%M:%S.000")
        self._thread = threading.Thread(target=self._server.serve_forever, name="slacksim-socket", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close every connection, stop serving and release whoever waits for an ack."""
        self._running = False
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with self._cond:
            self._sockets.clear()
            for pending in self._pending.values():
                pending.event.set()
            self._cond.notify_all()

    @property
    def port(self) -> int:
        """The bound port."""
        if self._server is None:
            raise RuntimeError("simulator not started")
        return int(self._server.socket.getsockname()[1])

    @property
    def link(self) -> str:
        """The WebSocket URL apps.connections.open hands out (before its ticket)."""
        return f"ws://{self._host}:{self.port}/link/"

    # --- connections ---------------------------------------------------------------------------------

    def _check_ticket(self, conn: ServerConnection, request: Request) -> Response | None:
        parsed = urllib.parse.urlsplit(request.path)
        tickets = urllib.parse.parse_qs(parsed.query).get("ticket", [])
        with self._cond:
            valid = parsed.path.rstrip("/") == "/link" and bool(tickets) and tickets[0] in self._state.tickets
            full = len(self._sockets) >= MAX_SOCKET_CONNECTIONS
        if not valid:
            return conn.respond(HTTPStatus.UNAUTHORIZED, "invalid ticket\n")
        if full:
            return conn.respond(HTTPStatus.TOO_MANY_REQUESTS, "too many connections\n")
        return None

    def _handle(self, conn: ServerConnection) -> None:
        sock = _SocketConn(conn)
        with self._cond:
            self._sockets.append(sock)
            count = len(self._sockets)
            self._cond.notify_all()
        try:
            sock.send(
                {
                    "type": "hello",
                    "num_connections": count,
                    "debug_info": {
                        "host": "sim",
                        "started": self._started_at,
                        "build_number": 1,
                        "approximate_connection_time": 18060,
                    },
                    "connection_info": {"app_id": self._state.workspace.api_app_id},
                }
            )
            # websockets runs handlers on non-daemon threads: poll so a forgotten stop() can't hang exit.
            while self._running and threading.main_thread().is_alive():
                try:
                    raw = conn.recv(timeout=0.5)
                except TimeoutError:
                    continue
                self._on_message(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                if sock in self._sockets:
                    self._sockets.remove(sock)
                self._cond.notify_all()

    def _on_message(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return
        if not isinstance(message, dict) or "envelope_id" not in message:
            return
        with self._cond:
            pending = self._pending.get(str(message["envelope_id"]))
        if pending is not None:
            payload = message.get("payload")
            pending.payload = payload if isinstance(payload, dict) else None
            pending.event.set()

    def connections(self) -> int:
        """The number of live Socket Mode connections."""
        with self._cond:
            return len(self._sockets)

    def wait_for(self, count: int, timeout: float) -> int:
        """Block until at least `count` Socket Mode connections are open; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._sockets) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} Socket Mode connection(s) within {timeout}s, have {len(self._sockets)}"
                    )
                self._cond.wait(left)
            return len(self._sockets)

    def disconnect_all(self) -> None:
        """Ask every client to reconnect (Slack's refresh_requested) and close the sockets."""
        with self._cond:
            socks = list(self._sockets)
        for sock in socks:
            with contextlib.suppress(ConnectionClosed, OSError):
                sock.send({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "sim"}})
            with contextlib.suppress(ConnectionClosed, OSError):
                sock.conn.close()

    # --- envelopes -----------------------------------------------------------------------------------

    def send(self, envelope_type: str, payload: JsonDict, extra: JsonDict) -> SocketAck | None:
        """Send an envelope on the next connection and wait for its ack; None when no connection took it."""
        with self._cond:
            socks = list(self._sockets)
            start = self._rr
            self._rr += 1
            if not socks:
                return None
            envelope_id = str(uuid.uuid4())
            pending = _PendingAck()
            self._pending[envelope_id] = pending
        envelope = {"envelope_id": envelope_id, "payload": payload, "type": envelope_type, **extra}
        try:
            for i in range(len(socks)):
                try:
                    socks[(start + i) % len(socks)].send(envelope)
                    break
                except (ConnectionClosed, OSError):
                    continue
            else:
                return None
            acked = pending.event.wait(self.ack_timeout)
        finally:
            with self._cond:
                self._pending.pop(envelope_id, None)
        if acked and self._running:
            return SocketAck(True, pending.payload)
        return SocketAck(False, None)
