"""The listeners against real Bolt, real signed HTTP requests and the local Slack simulator."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.listeners.adapter import answer_unexpected_error
from bot.slacksim import SlackSimulator
from tests.e2e import conftest as e2e

# The end-to-end fixtures, here too: a running simulator, Rapport served over HTTP, no error logged.
sim, http_app, no_errors_logged = e2e.sim, e2e.http_app, e2e.no_errors_logged
SLACK_SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "slack"


def sample(relative: str) -> dict[str, Any]:
    """One of the payloads Slack published (vendored unchanged), as a fresh dict."""
    data = json.loads((SLACK_SAMPLES / relative).read_text())
    assert isinstance(data, dict)
    return data


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr."""


@pytest.fixture
def bare_app(sim: SlackSimulator) -> Iterator[App]:
    """A Bolt app set up as `build_app` sets Rapport's (process before responding, the one error handler), with no
    listeners yet, served over HTTP: the simulator delivers signed requests to it."""
    app = App(
        client=WebClient(token=e2e.BOT_TOKEN, base_url=sim.api_url),
        signing_secret=e2e.SIGNING_SECRET,
        process_before_response=True,
        token_verification_enabled=False,
        name="rapport-test",
    )
    app.error(answer_unexpected_error)
    server = make_server("127.0.0.1", 0, SlackRequestHandler(app), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sim.deliver_http_to(f"http://127.0.0.1:{server.server_port}/slack/events")
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
