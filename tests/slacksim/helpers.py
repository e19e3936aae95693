"""Helpers for the Slack simulator tests: Slack's vendored reference files and a Bolt app served over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.slacksim import SlackSimulator

SHARED = Path(__file__).resolve().parents[1] / "fixtures" / "slack"


def bolt_app(sim: SlackSimulator) -> App:
    """A Bolt app wired to the simulator the way production wires it to Slack."""
    return App(
        signing_secret=sim.signing_secret,
        token_verification_enabled=False,
        process_before_response=True,
        client=WebClient(base_url=sim.api_url, token=sim.bot_token),
    )


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_bolt(app: App) -> Iterator[str]:
    """Serve a Bolt app over HTTP (wsgiref on an ephemeral port) and yield its request URL."""
    server = make_server("127.0.0.1", 0, SlackRequestHandler(app), handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/slack/events"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
