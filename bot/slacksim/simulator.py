"""SlackSimulator: the HTTP Web API server, the Socket Mode server and the bot driver."""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import hmac
import itertools
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from bot.slacksim.ratelimit import BUILTIN_TIERS, RateLimiter, load_tiers
from bot.slacksim.state import JsonDict, SimLookupError, SimState
from bot.slacksim.webapi import SlackError, WebApi, normalize_args
from bot.slacksim.workspace import SimWorkspace

MAX_SOCKET_CONNECTIONS = 10

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApiCall:
    """One recorded Web API request and the simulator's answer."""

    method: str
    args: dict[str, Any]
    ok: bool
    error: str | None
    status: int
    response: dict[str, Any]
    at: float
    token: str | None


@dataclass
class Delivery:
    """The bot's answer to something the simulator sent it (status 0 means no answer / not acknowledged)."""

    status: int
    body: dict[str, Any] | str | None
    headers: dict[str, str]
    transport: Literal["http", "socket"]


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    error: str | None
    remaining: int


@dataclass
class _PendingAck:
    event: threading.Event = field(default_factory=threading.Event)
    payload: dict[str, Any] | None = None


class _SocketConn:
    """A live Socket Mode connection; sends are serialised because delivery runs on caller threads."""

    def __init__(self, conn: ServerConnection) -> None:
        self.conn = conn
        self.lock = threading.Lock()

    def send(self, message: JsonDict) -> None:
        with self.lock:
            self.conn.send(json.dumps(message))


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    sim: SlackSimulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-request (timeouts in fault tests) are expected, not worth a traceback.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HttpServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

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
        sim = self.server.sim
        if parsed.path.startswith("/api/"):
            try:
                status, payload, headers = sim._handle_api(
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
            status = sim._handle_response_url(parsed.path[len("/response_url/") :], body)
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


class SlackSimulator:
    """A local Slack: Web API over HTTP, Socket Mode over WebSocket, and helpers that drive a bot."""

    def __init__(
        self,
        workspace: SimWorkspace | None = None,
        signing_secret: str = "sim-signing-secret",
        bot_token: str = "xoxb-sim-token",
        app_token: str = "xapp-sim-token",
        port: int = 0,
        socket_port: int = 0,
        *,
        host: str = "127.0.0.1",
        verification_token: str = "sim-verification-token",
    ) -> None:
        self.workspace = workspace if workspace is not None else SimWorkspace.default()
        self.signing_secret = signing_secret
        self.bot_token = bot_token
        self.app_token = app_token
        self.verification_token = verification_token
        self.host = host
        self.ack_timeout = 3.0
        self.http_timeout = 10.0
        self._port = port
        self._socket_port = socket_port
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._state = SimState(self.workspace, time.time)
        self._api = WebApi(self._state, self._socket_link)
        self._calls: list[ApiCall] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, float] = {}
        self._limiter: RateLimiter | None = None
        self._http_target: str | None = None
        self._sockets: list[_SocketConn] = []
        self._pending: dict[str, _PendingAck] = {}
        self._rr = 0
        self._event_seq = itertools.count(1)
        self._http: _HttpServer | None = None
        self._ws: Server | None = None
        self._threads: list[threading.Thread] = []
        self._running = False
        self._started_at = ""

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> SlackSimulator:
        """Bind the HTTP and Socket Mode servers and serve them on daemon threads."""
        if self._running:
            return self
        http = _HttpServer((self.host, self._port), _Handler)
        http.sim = self
        try:
            ws = serve(
                self._ws_handler,
                self.host,
                self._socket_port,
                process_request=self._ws_process_request,
                close_timeout=2,
                compression=None,
            )
        except BaseException:
            http.server_close()
            raise
        self._http = http
        self._ws = ws
        self._running = True
        self._started_at = time.strftime("%Y-%m-%d %H:%M:%S.000")
        # A short poll interval keeps stop() fast; serve_forever only checks for shutdown between polls.
        http_loop = functools.partial(http.serve_forever, poll_interval=0.05)
        for target, name in ((http_loop, "slacksim-http"), (ws.serve_forever, "slacksim-socket")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Close every connection and stop both servers."""
        if not self._running:
            return
        self._running = False
        if self._ws is not None:
            self._ws.shutdown()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        with self._cond:
            self._sockets.clear()
            for pending in self._pending.values():
                pending.event.set()
            self._cond.notify_all()

    def __enter__(self) -> SlackSimulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound HTTP port."""
        if self._http is None:
            raise RuntimeError("simulator not started")
        return int(self._http.server_address[1])

    @property
    def socket_port(self) -> int:
        """The bound Socket Mode (WebSocket) port."""
        if self._ws is None:
            raise RuntimeError("simulator not started")
        return int(self._ws.socket.getsockname()[1])

    @property
    def base_url(self) -> str:
        """http://HOST:PORT of the HTTP server."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL to pass as WebClient(base_url=...)."""
        return f"{self.base_url}/api/"

    @property
    def clock(self) -> Callable[[], float]:
        """The time source for ts values, event times and rate-limit windows."""
        return self._state.clock

    @clock.setter
    def clock(self, value: Callable[[], float]) -> None:
        self._state.clock = value

    def _socket_link(self) -> str:
        return f"ws://{self.host}:{self.socket_port}/link/"

    # --- recorded calls ------------------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        """A snapshot of every Web API call so far, faulted and failed ones included."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        """The recorded calls to one method."""
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def clear_calls(self) -> None:
        """Forget the recorded calls."""
        with self._lock:
            self._calls.clear()

    def wait_for_calls(self, method: str, count: int = 1, timeout: float = 10.0) -> list[ApiCall]:
        """Block until at least `count` calls to `method` arrived; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self._calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = ", ".join(f"{c.method}({'ok' if c.ok else c.error})" for c in self._calls[-20:])
                    raise AssertionError(
                        f"expected {count} call(s) to {method} within {timeout}s, got {len(found)}; "
                        f"last calls: [{seen}]"
                    )
                self._cond.wait(left)

    # --- workspace views -----------------------------------------------------------------------------

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """A copy of a conversation's history (oldest first, thread replies included)."""
        with self._lock:
            ch = self._state.require_channel(channel)
            return copy.deepcopy(self._state.history(ch.id))

    def dm_messages(self, user_id: str) -> list[dict[str, Any]]:
        """The messages the bot posted in its DM with a user."""
        with self._lock:
            ch = self._state.im_for(user_id)
            return [copy.deepcopy(m) for m in self._state.history(ch.id) if m.get("bot_id") == self.workspace.bot_id]

    def ephemerals(self, *, user: str | None = None, channel: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages the bot sent (chat.postEphemeral and ephemeral response_url replies)."""
        with self._lock:
            return [
                copy.deepcopy(e)
                for e in self._state.ephemerals
                if (user is None or e["user"] == user) and (channel is None or e["channel"] == channel)
            ]

    def responses(self) -> list[dict[str, Any]]:
        """Bodies the bot POSTed to response_url links ({"response_url", "body", "channel", "user"})."""
        with self._lock:
            return copy.deepcopy(self._state.responses)

    def views(self) -> list[dict[str, Any]]:
        """Modals opened, pushed or updated through the Web API (current version of each)."""
        with self._lock:
            return [
                {k: copy.deepcopy(v) for k, v in view.items() if not k.startswith("_")} | {"user": view.get("_user")}
                for view in self._state.views.values()
            ]

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for a user, if any."""
        with self._lock:
            view = self._state.home_views.get(user_id)
            return copy.deepcopy(view) if view is not None else None

    def new_trigger_id(self, user_id: str | None = None) -> str:
        """Issue a trigger_id that views.open/views.push accept."""
        with self._lock:
            return self._state.new_trigger_id(user_id)

    # --- faults --------------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        times: int = 1,
        retry_after: int | None = None,
        error: str | None = None,
    ) -> None:
        """Make the next `times` calls to `method` ("*" = any method) fail with this status/error."""
        with self._lock:
            self._faults.setdefault(method, []).append(_Fault(status, retry_after, error, times))

    def clear_faults(self, method: str | None = None) -> None:
        """Drop the pending faults of one method (or of every method): the outage is over."""
        with self._lock:
            if method is None:
                self._faults.clear()
            else:
                self._faults.pop(method, None)

    def set_delay(self, method: str, seconds: float) -> None:
        """Answer `method` ("*" = any method) only after `seconds` (0 clears)."""
        with self._lock:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    def enforce_rate_limits(
        self,
        enabled: bool = True,
        *,
        tiers_path: str | Path | None = None,
        post_message_workspace_per_minute: int | None = None,
    ) -> None:
        """Turn Slack's per-method rate limits on (fresh windows) or off."""
        with self._lock:
            if not enabled:
                self._limiter = None
                return
            tiers = load_tiers(tiers_path) if tiers_path is not None else dict(BUILTIN_TIERS)
            self._limiter = RateLimiter(tiers, post_message_workspace_per_minute)

    def _take_fault(self, method: str) -> _Fault | None:
        for key in (method, "*"):
            queue = self._faults.get(key)
            if queue:
                fault = queue[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.pop(0)
                return fault
        return None

    # --- Web API -------------------------------------------------------------------------------------

    def _handle_api(
        self, method: str, query: str, body: bytes, content_type: str, authorization: str | None
    ) -> tuple[int, JsonDict, dict[str, str]]:
        args: JsonDict = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        parse_error: str | None = None
        if body:
            if "json" in content_type.lower():
                try:
                    decoded = json.loads(body)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    decoded = None
                if isinstance(decoded, dict):
                    args.update(decoded)
                else:
                    parse_error = "invalid_json"
            elif "multipart/form-data" in content_type.lower():
                parse_error = "invalid_form_data"  # file uploads are not simulated
            else:
                args.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        token: str | None = None
        if authorization and authorization.lower().startswith("bearer "):
            token = authorization[7:].strip() or None
        arg_token = args.pop("token", None)
        if token is None and arg_token:
            token = str(arg_token)
        args = normalize_args(args)

        delay = self._delays.get(method, self._delays.get("*", 0.0))
        if delay > 0:
            time.sleep(delay)  # outside the lock: a slow method must not stall the others

        with self._cond:
            status, payload, headers = self._answer(method, args, token, parse_error)
            self._calls.append(
                ApiCall(
                    method=method,
                    args=args,
                    ok=bool(payload.get("ok")),
                    error=payload.get("error"),
                    status=status,
                    response=payload,
                    at=self.clock(),
                    token=token,
                )
            )
            self._cond.notify_all()
        return status, payload, headers

    def _answer(
        self, method: str, args: JsonDict, token: str | None, parse_error: str | None
    ) -> tuple[int, JsonDict, dict[str, str]]:
        fault = self._take_fault(method)
        if fault is not None:
            if fault.status == 429:
                retry = fault.retry_after if fault.retry_after is not None else 1
                return 429, {"ok": False, "error": fault.error or "ratelimited"}, {"Retry-After": str(retry)}
            if fault.status >= 300:
                return fault.status, {"ok": False, "error": fault.error or "internal_error"}, {}
            return fault.status, {"ok": False, "error": fault.error or "fatal_error"}, {}
        if method not in self._api.handlers:
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}, {}
        if parse_error is not None:
            return 200, {"ok": False, "error": parse_error}, {}
        if token is None:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if method == "apps.connections.open":
            if token != self.app_token:
                return 200, {"ok": False, "error": "invalid_auth"}, {}
        elif token == self.app_token:
            return 200, {"ok": False, "error": "not_allowed_token_type"}, {}
        elif token != self.bot_token:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        if self._limiter is not None:
            key = self._api.post_message_channel_key(args) if method == "chat.postMessage" else None
            wait = self._limiter.check(method, self.clock(), key)
            if wait is not None:
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)}
        try:
            return 200, self._api.call(method, args), {}
        except SlackError as exc:
            return 200, exc.body(), {}

    def _handle_response_url(self, key: str, body: bytes) -> int:
        with self._cond:
            target = self._state.response_urls.get(key)
            if target is None:
                return 404
            try:
                payload = json.loads(body) if body else {}
            except json.JSONDecodeError:
                payload = {"text": body.decode("utf-8", "replace")}
            if not isinstance(payload, dict):
                return 400
            channel, user = target.get("channel"), target.get("user")
            self._state.responses.append(
                {
                    "response_url": f"{self.base_url}/response_url/{key}",
                    "body": payload,
                    "channel": channel,
                    "user": user,
                }
            )
            text = str(payload.get("text", ""))
            original = target.get("message_ts")
            if channel and original and (payload.get("replace_original") or payload.get("delete_original")):
                if payload.get("delete_original"):
                    self._state.remove_message(channel, original)
                elif (msg := self._state.find_message(channel, original)) is not None:
                    msg["text"] = text
                    if "blocks" in payload:
                        msg["blocks"] = payload["blocks"]
            elif channel and payload.get("response_type") == "in_channel":
                msg = self._state.bot_message(text, blocks=payload.get("blocks"), thread_ts=payload.get("thread_ts"))
                self._state.add_message(channel, msg)
            elif channel and user and not payload.get("delete_original") and not payload.get("replace_original"):
                record: JsonDict = {
                    "channel": channel,
                    "user": user,
                    "text": text,
                    "message_ts": self._state.next_ts(),
                    "via": "response_url",
                }
                if payload.get("blocks") is not None:
                    record["blocks"] = payload["blocks"]
                self._state.ephemerals.append(record)
            self._cond.notify_all()
            return 200

    # --- Socket Mode server --------------------------------------------------------------------------

    def _ws_process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        parsed = urllib.parse.urlsplit(request.path)
        tickets = urllib.parse.parse_qs(parsed.query).get("ticket", [])
        with self._lock:
            valid = parsed.path.rstrip("/") == "/link" and bool(tickets) and tickets[0] in self._state.tickets
            full = len(self._sockets) >= MAX_SOCKET_CONNECTIONS
        if not valid:
            return conn.respond(HTTPStatus.UNAUTHORIZED, "invalid ticket\n")
        if full:
            return conn.respond(HTTPStatus.TOO_MANY_REQUESTS, "too many connections\n")
        return None

    def _ws_handler(self, conn: ServerConnection) -> None:
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
                    "connection_info": {"app_id": self.workspace.api_app_id},
                }
            )
            # websockets runs handlers on non-daemon threads: poll so a forgotten stop() can't hang exit.
            while self._running and threading.main_thread().is_alive():
                try:
                    raw = conn.recv(timeout=0.5)
                except TimeoutError:
                    continue
                self._on_socket_message(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                if sock in self._sockets:
                    self._sockets.remove(sock)
                self._cond.notify_all()

    def _on_socket_message(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return
        if not isinstance(message, dict) or "envelope_id" not in message:
            return
        with self._lock:
            pending = self._pending.get(str(message["envelope_id"]))
        if pending is not None:
            payload = message.get("payload")
            pending.payload = payload if isinstance(payload, dict) else None
            pending.event.set()

    def socket_connections(self) -> int:
        """The number of live Socket Mode connections."""
        with self._lock:
            return len(self._sockets)

    def wait_for_socket(self, count: int = 1, timeout: float = 10.0) -> int:
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

    def disconnect_sockets(self) -> None:
        """Ask every Socket Mode client to reconnect (Slack's refresh_requested) and close the sockets."""
        with self._lock:
            socks = list(self._sockets)
        for sock in socks:
            with contextlib.suppress(ConnectionClosed, OSError):
                sock.send({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "sim"}})
            with contextlib.suppress(ConnectionClosed, OSError):
                sock.conn.close()

    # --- delivery ------------------------------------------------------------------------------------

    def deliver_http_to(self, url: str) -> None:
        """Deliver to the bot's HTTP request URL when no Socket Mode connection is open."""
        with self._lock:
            self._http_target = url

    def _socket_deliver(self, envelope_type: str, payload: JsonDict, extra: JsonDict) -> Delivery | None:
        with self._lock:
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
            with self._lock:
                self._pending.pop(envelope_id, None)
        if acked and self._running:
            return Delivery(200, pending.payload, {}, "socket")
        return Delivery(0, None, {}, "socket")

    def _sign(self, timestamp: str, body: bytes) -> str:
        base = b"v0:" + timestamp.encode() + b":" + body
        return "v0=" + hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()

    def _http_deliver(
        self,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        sign: bool = True,
        timestamp: int | float | str | None = None,
    ) -> Delivery:
        with self._lock:
            url = self._http_target
        if url is None:
            raise RuntimeError("no Socket Mode connection open and deliver_http_to(url) was not called")
        # Signatures use the real wall clock, not sim.clock: the bot checks them against its own time.
        ts = str(int(time.time())) if timestamp is None else str(int(float(timestamp)))
        out = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
        if sign:
            out["X-Slack-Request-Timestamp"] = ts
            out["X-Slack-Signature"] = self._sign(ts, body)
        elif timestamp is not None:
            out["X-Slack-Request-Timestamp"] = ts
        out.update(headers or {})
        request = urllib.request.Request(url, data=body, headers=out, method="POST")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=self.http_timeout) as resp:
                return _http_delivery(resp.status, resp.read(), dict(resp.headers.items()))
        except urllib.error.HTTPError as err:
            return _http_delivery(err.code, err.read(), dict(err.headers.items()))
        except (urllib.error.URLError, OSError) as err:
            return Delivery(0, f"delivery failed: {err}", {}, "http")

    def _deliver(
        self,
        envelope_type: str,
        payload: JsonDict,
        socket_extra: JsonDict,
        http_body: bytes,
        content_type: str,
        http_headers: dict[str, str] | None = None,
    ) -> Delivery:
        delivered = self._socket_deliver(envelope_type, payload, socket_extra)
        if delivered is not None:
            return delivered
        return self._http_deliver(http_body, content_type, http_headers)

    def send_event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int = 0,
        retry_reason: str = "http_timeout",
        team_id: str | None = None,
        event_time: int | None = None,
    ) -> Delivery:
        """Deliver an Events API event_callback wrapping `event`."""
        ws = self.workspace
        with self._lock:
            channel = self._state.resolve(event["channel"]) if isinstance(event.get("channel"), str) else None
            now = self.clock()
        eid = event_id or f"Ev{next(self._event_seq):04d}{uuid.uuid4().hex[:7].upper()}"
        envelope: JsonDict = {
            "token": self.verification_token,
            "team_id": team_id or ws.team_id,
            "context_team_id": team_id or ws.team_id,
            "context_enterprise_id": None,
            "api_app_id": ws.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": eid,
            "event_time": int(now) if event_time is None else event_time,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": ws.team_id,
                    "user_id": ws.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": bool(channel is not None and channel.is_ext_shared),
            "event_context": "4-" + uuid.uuid4().hex,
        }
        socket_extra: JsonDict = {
            "accepts_response_payload": False,
            "retry_attempt": retry_num,
            "retry_reason": retry_reason if retry_num > 0 else "",
        }
        headers = {}
        if retry_num > 0:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self._deliver(
            "events_api", envelope, socket_extra, json.dumps(envelope).encode(), "application/json", headers
        )

    def _store_user_message(
        self,
        user: str | None,
        channel: str,
        text: str,
        *,
        thread_ts: str | None,
        blocks: Any,
        subtype: str | None,
        bot_id: str | None,
        extra: dict[str, Any] | None,
    ) -> JsonDict:
        ws = self.workspace
        ch = self._state.require_channel(channel)
        author = ws.user(user) if user else None
        team = author.team(ws.team_id) if author is not None else ws.team_id
        ts = self._state.next_ts()
        msg: JsonDict = {"type": "message", "ts": ts, "text": text, "team": team}
        if user:
            msg["user"] = user
        if subtype:
            msg["subtype"] = subtype
        if bot_id:
            msg["bot_id"] = bot_id
        elif not subtype:
            msg["client_msg_id"] = str(uuid.uuid4())
        if blocks is not None:
            msg["blocks"] = blocks
        if thread_ts:
            msg["thread_ts"] = thread_ts
        if author is not None and ws.is_external(author):
            # Slack Connect messages carry the author's home team.
            msg["user_team"] = team
            msg["source_team"] = team
        msg.update(extra or {})
        self._state.add_message(ch.id, msg)
        return copy.deepcopy(msg) | {"channel": ch.id, "event_ts": ts, "channel_type": ch.channel_type}

    def post_message(
        self,
        user: str | None,
        channel: str,
        text: str,
        *,
        thread_ts: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        subtype: str | None = None,
        bot_id: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> tuple[str, Delivery]:
        """A user posts a message: it is stored and the `message` event is delivered to the bot."""
        with self._lock:
            event = self._store_user_message(
                user, channel, text, thread_ts=thread_ts, blocks=blocks, subtype=subtype, bot_id=bot_id, extra=extra
            )
        return event["ts"], self.send_event(event)

    def seed_message(
        self,
        user: str | None,
        channel: str,
        text: str,
        *,
        thread_ts: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """Store a user's message in history without delivering any event (test setup); return its ts."""
        with self._lock:
            event = self._store_user_message(
                user, channel, text, thread_ts=thread_ts, blocks=blocks, subtype=None, bot_id=None, extra=extra
            )
        return str(event["ts"])

    def edit_message(self, channel: str, ts: str, new_text: str) -> Delivery:
        """A user edits a stored message: message_changed is delivered."""
        with self._lock:
            ch = self._state.require_channel(channel)
            msg = self._state.find_message(ch.id, ts)
            if msg is None:
                raise SimLookupError(f"no message {ts} in {ch.id}")
            previous = copy.deepcopy(msg)
            event_ts = self._state.next_ts()
            msg["text"] = new_text
            msg.pop("blocks", None)
            msg["edited"] = {"user": msg.get("user", ""), "ts": event_ts}
            event = {
                "type": "message",
                "subtype": "message_changed",
                "hidden": True,
                "channel": ch.id,
                "ts": event_ts,
                "event_ts": event_ts,
                "channel_type": ch.channel_type,
                "message": copy.deepcopy(msg),
                "previous_message": previous,
            }
        return self.send_event(event)

    def delete_message(self, channel: str, ts: str) -> Delivery:
        """A user deletes a stored message: message_deleted is delivered."""
        with self._lock:
            ch = self._state.require_channel(channel)
            previous = self._state.remove_message(ch.id, ts)
            if previous is None:
                raise SimLookupError(f"no message {ts} in {ch.id}")
            event_ts = self._state.next_ts()
            event = {
                "type": "message",
                "subtype": "message_deleted",
                "hidden": True,
                "channel": ch.id,
                "ts": event_ts,
                "event_ts": event_ts,
                "deleted_ts": ts,
                "channel_type": ch.channel_type,
                "previous_message": previous,
            }
        return self.send_event(event)

    def set_bot_member(self, channel: str, member: bool = True) -> None:
        """Change the bot's membership silently (no event), e.g. to set up Web API-only tests."""
        with self._lock:
            self._state.require_channel(channel).bot_is_member = member

    def add_bot_to_channel(self, channel: str, *, inviter: str) -> Delivery:
        """Someone invites the bot: it becomes a member and member_joined_channel is delivered."""
        with self._lock:
            ch = self._state.require_channel(channel)
            ch.bot_is_member = True
            event = {
                "type": "member_joined_channel",
                "user": self.workspace.bot_user_id,
                "channel": ch.id,
                "channel_type": "G" if ch.is_private else "C",
                "team": self.workspace.team_id,
                "inviter": inviter,
                "event_ts": self._state.next_ts(),
            }
        return self.send_event(event)

    def remove_bot_from_channel(
        self,
        channel: str,
        *,
        event: Literal["member_left_channel", "channel_left"] = "member_left_channel",
        actor: str | None = None,
    ) -> Delivery:
        """The bot is removed: its membership ends and member_left_channel (or channel_left) is delivered."""
        with self._lock:
            ch = self._state.require_channel(channel)
            ch.bot_is_member = False
            event_ts = self._state.next_ts()
            payload: JsonDict
            if event == "channel_left":
                payload = {
                    "type": "channel_left",
                    "channel": ch.id,
                    "actor_id": actor or "",
                    "event_ts": event_ts,
                }
            else:
                payload = {
                    "type": "member_left_channel",
                    "user": self.workspace.bot_user_id,
                    "channel": ch.id,
                    "channel_type": "G" if ch.is_private else "C",
                    "team": self.workspace.team_id,
                    "event_ts": event_ts,
                }
        return self.send_event(payload)

    def _response_url(self, channel: str | None, user: str | None, message_ts: str | None = None) -> str:
        key = f"{self.workspace.team_id}/{next(self._event_seq)}/{uuid.uuid4().hex[:24]}"
        self._state.response_urls[key] = {"channel": channel, "user": user, "message_ts": message_ts}
        return f"{self.base_url}/response_url/{key}"

    def slash_command(self, user: str, channel: str, command: str, text: str) -> Delivery:
        """A user runs a slash command in a channel."""
        ws = self.workspace
        with self._lock:
            author = ws.user(user)
            if author is None:
                raise SimLookupError(f"unknown user {user!r}")
            ch = self._state.require_channel(channel)
            if ch.is_im:
                channel_name = "directmessage"
            elif ch.is_private:
                channel_name = "privategroup"
            else:
                channel_name = ch.name
            fields = {
                "token": self.verification_token,
                "team_id": ws.team_id,
                "team_domain": ws.domain,
                "channel_id": ch.id,
                "channel_name": channel_name,
                "user_id": author.id,
                "user_name": author.name,
                "command": command,
                "text": text,
                "api_app_id": ws.api_app_id,
                "is_enterprise_install": "false",
                "response_url": self._response_url(ch.id, author.id),
                "trigger_id": self._state.new_trigger_id(author.id),
            }
        body = urllib.parse.urlencode(fields).encode()
        return self._deliver(
            "slash_commands",
            dict(fields),
            {"accepts_response_payload": True},
            body,
            "application/x-www-form-urlencoded",
        )

    def send_interactive(self, payload: dict[str, Any]) -> Delivery:
        """Deliver an interactive payload (block_actions, view_submission, ...), filling defaults."""
        ws = self.workspace
        p = copy.deepcopy(payload)
        with self._lock:
            p.setdefault("type", "block_actions")
            user = p.get("user")
            if isinstance(user, str):
                user = {"id": user}
            if not isinstance(user, dict) or not user.get("id"):
                first = next(u for u in ws.users if not u.is_bot and not ws.is_external(u))
                user = {"id": first.id}
            known = ws.user(user["id"])
            if known is not None:
                user.setdefault("username", known.name)
                user.setdefault("name", known.name)
                user.setdefault("team_id", known.team(ws.team_id))
            p["user"] = user
            p.setdefault("team", {"id": ws.team_id, "domain": ws.domain})
            p.setdefault("api_app_id", ws.api_app_id)
            p.setdefault("token", self.verification_token)
            p.setdefault("is_enterprise_install", False)
            p.setdefault("enterprise", None)
            p.setdefault("trigger_id", self._state.new_trigger_id(user["id"]))
            view = p.get("view")
            if isinstance(view, dict):
                stored = self._state.views.get(str(view.get("id"))) or next(
                    (v for v in self._state.home_views.values() if v["id"] == view.get("id")), None
                )
                if stored is not None:
                    merged = {k: copy.deepcopy(v) for k, v in stored.items() if not k.startswith("_")}
                    merged.update(view)
                    view = merged
                view.setdefault("team_id", ws.team_id)
                view.setdefault("app_id", ws.api_app_id)
                view.setdefault("bot_id", ws.bot_id)
                view.setdefault("state", {"values": {}})
                p["view"] = view
            if p["type"] == "view_submission":
                p.setdefault("response_urls", [])
            channel = p.get("channel")
            channel_id = channel.get("id") if isinstance(channel, dict) else channel
            if p["type"] in ("block_actions", "message_action") and "response_url" not in p and channel_id:
                container, message = p.get("container"), p.get("message")
                message_ts = (container.get("message_ts") if isinstance(container, dict) else None) or (
                    message.get("ts") if isinstance(message, dict) else None
                )
                p["response_url"] = self._response_url(str(channel_id), user["id"], message_ts)
        body = urllib.parse.urlencode({"payload": json.dumps(p)}).encode()
        return self._deliver(
            "interactive", p, {"accepts_response_payload": True}, body, "application/x-www-form-urlencoded"
        )

    def send_raw(
        self,
        body: bytes,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        sign: bool = True,
        timestamp: int | float | str | None = None,
    ) -> Delivery:
        """POST raw bytes to the bot over HTTP (signed, unsigned, or with a stale timestamp)."""
        return self._http_deliver(body, content_type, headers, sign=sign, timestamp=timestamp)


def _http_delivery(status: int, raw: bytes, headers: dict[str, str]) -> Delivery:
    body: dict[str, Any] | str | None = None
    if raw:
        text = raw.decode("utf-8", "replace")
        body = text
        if text.lstrip()[:1] == "{":
            with contextlib.suppress(json.JSONDecodeError):
                parsed = json.loads(text)
                if isinstance(parsed, dict):
                    body = parsed
    return Delivery(status, body, headers, "http")
