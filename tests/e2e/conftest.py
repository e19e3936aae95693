"""The real app, in HTTP mode under waitress or in Socket Mode, against the local Slack simulator."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import Runtime, build_runtime
from bot.config import Settings
from bot.db.models import Mention
from bot.runtime.deps import Clock, system_clock
from bot.slacksim import SimWorkspace, SlackSimulator
from bot.transports import HttpServer, socket_mode_handler

SIGNING_SECRET = "sim-signing-secret"
BOT_TOKEN = "xoxb-sim-token"
APP_TOKEN = "xapp-sim-token"


@pytest.fixture
def sim() -> Iterator[SlackSimulator]:
    """A running simulator with the default workspace."""
    with SlackSimulator(
        workspace=SimWorkspace.default(), signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN, app_token=APP_TOKEN
    ) as simulator:
        yield simulator


def settings_for(sim: SlackSimulator, database_url: str, *, socket_mode: bool) -> Settings:
    """Settings as a user would give them, pointing at the simulator."""
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": sim.api_url,
        "DATABASE_URL": database_url,
    }
    if socket_mode:
        env["SLACK_APP_TOKEN"] = APP_TOKEN
    return Settings.from_env(env)


@dataclass
class RunningApp:
    """A started Rapport and the simulator driving it."""

    runtime: Runtime
    sim: SlackSimulator
    transport: str
    url: str | None = None

    def mention_count(self) -> int:
        """Mentions stored so far."""
        with self.runtime.deps.session_factory.begin() as session:
            return int(session.scalar(select(func.count(Mention.id))) or 0)

    def command(
        self, text: str, *, user: str = "U0DANA", channel: str = "C0SUPPORT", command: str = "/customer"
    ) -> dict[str, Any]:
        """Type a slash command; returns the ephemeral reply Slack would show."""
        delivery = self.sim.slash_command(user, channel, command, text)
        assert delivery.status == 200, delivery
        body = delivery.body
        assert isinstance(body, dict), body
        return body


def start_app(
    sim: SlackSimulator, database_url: str, transport: str, *, clock: Clock = system_clock
) -> Iterator[RunningApp]:
    """Rapport over `transport` ("http" or "socket") against the simulator, on `clock`."""
    runtime = build_runtime(settings_for(sim, database_url, socket_mode=transport == "socket"), clock=clock)
    runtime.start_jobs()
    if transport == "http":
        server = HttpServer(runtime, host="127.0.0.1", port=0)
        server.start_in_thread()
        sim.deliver_http_to(f"{server.url}/slack/events")
        try:
            yield RunningApp(runtime=runtime, sim=sim, transport=transport, url=server.url)
        finally:
            server.close()
            runtime.close()
    else:
        handler = socket_mode_handler(runtime)
        handler.connect()
        sim.wait_for_socket(1)
        try:
            yield RunningApp(runtime=runtime, sim=sim, transport=transport)
        finally:
            handler.close()
            runtime.close()


@pytest.fixture
def http_app(sim: SlackSimulator, database_url: str) -> Iterator[RunningApp]:
    """Rapport in HTTP mode."""
    yield from start_app(sim, database_url, "http")


@pytest.fixture(params=["http", "socket"])
def running_app(request: pytest.FixtureRequest, sim: SlackSimulator, database_url: str) -> Iterator[RunningApp]:
    """Rapport in each transport."""
    yield from start_app(sim, database_url, request.param)


@pytest.fixture
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail the test if anything logged an error or an exception."""
    caplog.set_level(logging.WARNING)
    yield
    # In teardown `caplog.records` holds only teardown's records: read the test's own phases.
    records = caplog.get_records("setup") + caplog.get_records("call")
    bad = [r for r in records if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, "\n".join(f"{r.name}: {r.getMessage()}" for r in bad)


def eventually(check: Callable[[], Any], *, timeout: float = 10.0) -> Any:
    """Poll until `check` returns something truthy (for effects of the background sender)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(0.05)
