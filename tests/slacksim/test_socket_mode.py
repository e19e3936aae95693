"""Socket Mode: slack_bolt's real SocketModeHandler (builtin SDK client) against the simulator."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect

from bot.slacksim import Delivery, SlackSimulator
from tests.slacksim.helpers import bolt_app


@contextmanager
def connected(app: App, sim: SlackSimulator) -> Iterator[SocketModeHandler]:
    """Connect a SocketModeHandler without blocking and close it afterwards."""
    handler = SocketModeHandler(app, sim.app_token)
    handler.connect()
    try:
        yield handler
    finally:
        # The SDK drops the socket at once but then spends ~3 s joining its worker threads; let that happen
        # in the background so the suite stays fast.
        threading.Thread(target=handler.close, daemon=True).start()


def _wait_until(predicate: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def _counting_app(sim: SlackSimulator, seen: list[str]) -> App:
    app = bolt_app(sim)
    lock = threading.Lock()

    @app.event("app_mention")
    def on_mention(event: dict[str, Any]) -> None:
        with lock:
            seen.append(event["text"])

    @app.command("/rapport")
    def on_command(ack: Ack, body: dict[str, Any]) -> None:
        ack(text=f"hi {body['user_name']}")

    return app


def test_event_and_command_are_acked(sim: SlackSimulator) -> None:
    seen: list[str] = []
    with connected(_counting_app(sim, seen), sim):
        assert sim.wait_for_socket(1) == 1
        assert sim.calls_to("apps.connections.open")[0].token == sim.app_token
        delivery = sim.send_event(
            {
                "type": "app_mention",
                "user": "U0DANA",
                "channel": "C0SUPPORT",
                "text": "<@U0RAPPORT> hi",
                "ts": "1.0",
                "event_ts": "1.0",
            }
        )
        assert (delivery.status, delivery.body, delivery.transport) == (200, None, "socket")
        command = sim.slash_command("U0KIRI", "C0SUPPORT", "/rapport", "")
        assert (command.status, command.body) == (200, {"text": "hi kiri"})
        _wait_until(lambda: seen == ["<@U0RAPPORT> hi"])
    _wait_until(lambda: sim.socket_connections() == 0)


def test_two_connections_share_envelopes_round_robin(sim: SlackSimulator) -> None:
    first: list[str] = []
    second: list[str] = []
    with connected(_counting_app(sim, first), sim), connected(_counting_app(sim, second), sim):
        sim.wait_for_socket(2)
        for i in range(4):
            event = {
                "type": "app_mention",
                "user": "U0DANA",
                "channel": "C0SUPPORT",
                "text": str(i),
                "ts": f"{i}.0",
                "event_ts": f"{i}.0",
            }
            assert sim.send_event(event).status == 200
        _wait_until(lambda: len(first) + len(second) == 4)
        assert len(first) == 2 and len(second) == 2


def test_unacked_envelope_and_reconnect_after_disconnect(sim: SlackSimulator) -> None:
    app = bolt_app(sim)  # no listener: Bolt does not ack unhandled events
    sim.ack_timeout = 0.5
    with connected(app, sim):
        sim.wait_for_socket(1)
        delivery = sim.send_event(
            {
                "type": "reaction_added",
                "user": "U0DANA",
                "reaction": "eyes",
                "item": {"type": "message", "channel": "C0SUPPORT", "ts": "1.0"},
                "event_ts": "1.0",
            }
        )
        assert (delivery.status, delivery.transport) == (0, "socket")
        sim.disconnect_sockets()
        # The SDK reconnects on "disconnect": a second apps.connections.open, then a new socket.
        sim.wait_for_calls("apps.connections.open", 2, timeout=10)
        sim.wait_for_socket(1)


def test_socket_preferred_over_http(sim: SlackSimulator) -> None:
    sim.deliver_http_to("http://127.0.0.1:9/unused")
    failed = sim.slash_command("U0DANA", "C0SUPPORT", "/rapport", "x")
    assert (failed.status, failed.transport) == (0, "http")  # nothing listens on port 9
    with connected(_counting_app(sim, []), sim):
        sim.wait_for_socket(1)
        assert sim.slash_command("U0DANA", "C0SUPPORT", "/rapport", "x").transport == "socket"


def test_socket_protocol_frames(sim: SlackSimulator, client: WebClient) -> None:
    """Hello, envelope and ack frames as a hand-written client sees them."""
    url = client.apps_connections_open(app_token=sim.app_token)["url"]
    assert url.startswith(f"ws://127.0.0.1:{sim.socket_port}/link/?ticket=")
    with pytest.raises(InvalidStatus):
        ws_connect(url.split("?")[0] + "?ticket=forged", open_timeout=5)
    with ws_connect(url, open_timeout=5) as ws:
        hello = json.loads(ws.recv(timeout=5))
        assert hello["type"] == "hello" and hello["num_connections"] == 1
        assert hello["connection_info"] == {"app_id": "A0RAPPORT"} and hello["debug_info"]["host"] == "sim"
        result: list[Delivery] = []
        sender = threading.Thread(
            target=lambda: result.append(
                sim.send_event({"type": "app_mention", "event_ts": "1.0"}, retry_num=2, retry_reason="timeout")
            )
        )
        sender.start()
        envelope = json.loads(ws.recv(timeout=5))
        assert envelope["type"] == "events_api" and envelope["accepts_response_payload"] is False
        assert (envelope["retry_attempt"], envelope["retry_reason"]) == (2, "timeout")
        assert envelope["payload"]["type"] == "event_callback"
        ws.send(json.dumps({"envelope_id": envelope["envelope_id"], "payload": {"ok": 1}}))
        sender.join(timeout=5)
        assert result[0].status == 200 and result[0].body == {"ok": 1}
        sim.disconnect_sockets()
        assert json.loads(ws.recv(timeout=5)) == {
            "type": "disconnect",
            "reason": "refresh_requested",
            "debug_info": {"host": "sim"},
        }
