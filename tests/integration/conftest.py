"""Integration fixtures: the local Slack simulator and a real slack_sdk client talking HTTP to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.slacksim import SimWorkspace, SlackSimulator


@pytest.fixture
def sim() -> Iterator[SlackSimulator]:
    with SlackSimulator(workspace=SimWorkspace.default(), signing_secret="s", bot_token="xoxb-t") as simulator:
        yield simulator


@pytest.fixture
def client(sim: SlackSimulator) -> WebClient:
    return WebClient(token="xoxb-t", base_url=sim.api_url)
