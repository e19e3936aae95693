"""Delivering to the bot: over Socket Mode when a client is connected, otherwise as a signed HTTP request."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Literal

from bot.slacksim.socketmode import SocketModeServer
from bot.slacksim.state import JsonDict


@dataclass
class Delivery:
    """The bot's answer to something the simulator sent it (status 0 means no answer / not acknowledged)."""

    status: int
    body: dict[str, Any] | str | None
    headers: dict[str, str]
    transport: Literal["http", "socket"]


class BotDelivery:
    """Sends Slack's requests to the bot and returns its acknowledgement as a Delivery."""

    def __init__(self, *, sockets: SocketModeServer, cond: threading.Condition, signing_secret: str) -> None:
        self.http_timeout = 10.0
        self._sockets = sockets
        self._cond = cond
        self._signing_secret = signing_secret
        self._http_target: str | None = None

    def deliver_http_to(self, url: str) -> None:
        """Deliver to the bot's HTTP request URL when no Socket Mode connection is open."""
        with self._cond:
            self._http_target = url

    def deliver(
        self,
        envelope_type: str,
        payload: JsonDict,
        socket_extra: JsonDict,
        http_body: bytes,
        content_type: str,
        http_headers: dict[str, str] | None = None,
    ) -> Delivery:
        """Send `payload` in a Socket Mode envelope if a client is connected, else POST `http_body` signed."""
        ack = self._sockets.send(envelope_type, payload, socket_extra)
        if ack is not None:
            return Delivery(200, ack.payload, {}, "socket") if ack.acked else Delivery(0, None, {}, "socket")
        return self.post(http_body, content_type, http_headers)

    def post(
        self,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        sign: bool = True,
        timestamp: int | float | str | None = None,
    ) -> Delivery:
        """POST raw bytes to the bot's request URL (signed, unsigned, or with a chosen timestamp)."""
        with self._cond:
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

    def _sign(self, timestamp: str, body: bytes) -> str:
        base = b"v0:" + timestamp.encode() + b":" + body
        return "v0=" + hmac.new(self._signing_secret.encode(), base, hashlib.sha256).hexdigest()


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
