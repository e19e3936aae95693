"""Fixtures for the Slack simulator tests: a running simulator and a real WebClient."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.slacksim import SlackSimulator


@pytest.fixture
def sim() -> Iterator[SlackSimulator]:
    """A started simulator with the default workspace."""
    with SlackSimulator() as s:
        yield s


@pytest.fixture
def client(sim: SlackSimulator) -> WebClient:
    """The real slack_sdk WebClient pointed at the simulator."""
    return WebClient(token=sim.bot_token, base_url=sim.api_url, timeout=10)
