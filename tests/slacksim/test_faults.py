"""Fault injection and rate limits, as seen by the real WebClient."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.slacksim import SlackSimulator
from tests.slacksim.helpers import SHARED


def _header(exc: pytest.ExceptionInfo[SlackApiError], name: str) -> str | None:
    headers = {k.lower(): v for k, v in exc.value.response.headers.items()}
    value = headers.get(name.lower())
    return value[0] if isinstance(value, list) else value


def test_fail_next_429_carries_retry_after(sim: SlackSimulator, client: WebClient) -> None:
    sim.fail_next("auth.test", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as exc:
        client.auth_test()
    assert exc.value.response.status_code == 429
    assert exc.value.response["error"] == "ratelimited"
    assert _header(exc, "Retry-After") == "7"
    assert client.auth_test()["ok"]  # only the next call was faulted
    assert [(c.status, c.ok) for c in sim.calls_to("auth.test")] == [(429, False), (200, True)]


def test_sdk_retry_handler_recovers_from_429(sim: SlackSimulator) -> None:
    client = WebClient(token=sim.bot_token, base_url=sim.api_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    sim.fail_next("users.info", status=429, retry_after=1)
    assert client.users_info(user="U0LEE")["ok"]
    assert [c.status for c in sim.calls_to("users.info")] == [429, 200]


def test_server_errors_and_slack_errors(sim: SlackSimulator, client: WebClient) -> None:
    sim.fail_next("chat.postMessage", status=503, times=2)
    sim.fail_next("*", status=200, error="team_access_not_granted")
    for _ in range(2):
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="U0DANA", text="x")
        assert exc.value.response.status_code == 503
    with pytest.raises(SlackApiError) as exc:
        client.auth_test()
    assert exc.value.response.status_code == 200 and exc.value.response["error"] == "team_access_not_granted"
    assert client.chat_postMessage(channel="U0DANA", text="x")["ok"]
    assert len(sim.dm_messages("U0DANA")) == 1


def test_delay(sim: SlackSimulator, client: WebClient) -> None:
    sim.set_delay("users.info", 0.3)
    start = time.monotonic()
    client.users_info(user="U0LEE")
    assert time.monotonic() - start >= 0.3
    slow_client = WebClient(token=sim.bot_token, base_url=sim.api_url, timeout=0.1)  # type: ignore[arg-type]
    slow_client.retry_handlers.clear()  # the default handler would retry the timed-out request
    with pytest.raises(OSError):  # TimeoutError or URLError, depending on where the timeout hits
        slow_client.users_info(user="U0LEE")
    sim.set_delay("users.info", 0)
    start = time.monotonic()
    client.users_info(user="U0LEE")
    assert time.monotonic() - start < 0.3


def test_post_message_is_limited_per_channel_per_second(sim: SlackSimulator, client: WebClient) -> None:
    now = [1767000000.0]
    sim.clock = lambda: now[0]
    sim.set_bot_member("C0SUPPORT")
    sim.set_bot_member("C0RANDOM")
    sim.enforce_rate_limits()
    client.chat_postMessage(channel="C0SUPPORT", text="1")
    client.chat_postMessage(channel="C0RANDOM", text="other channel is fine")
    client.chat_postMessage(channel="U0DANA", text="so is a DM")
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C0SUPPORT", text="2")
    assert exc.value.response.status_code == 429 and _header(exc, "Retry-After") == "1"
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="D0DANA", text="a DM by its id counts as the same channel")
    now[0] += 1.0
    client.chat_postMessage(channel="C0SUPPORT", text="2")
    assert [m["text"] for m in sim.messages("C0SUPPORT")] == ["1", "2"]


def test_workspace_cap_and_tiers_from_shared_file(sim: SlackSimulator, client: WebClient) -> None:
    now = [1767000000.0]
    sim.clock = lambda: now[0]
    sim.enforce_rate_limits(tiers_path=SHARED / "rate_limit_tiers.json", post_message_workspace_per_minute=2)
    client.chat_postMessage(channel="U0DANA", text="1")
    client.chat_postMessage(channel="U0LEE", text="2")
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="U0KIRI", text="3")
    assert _header(exc, "Retry-After") == "60"
    now[0] += 30
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="U0KIRI", text="3")
    assert _header(exc, "Retry-After") == "30"
    # users.list is Tier2: 20 per minute.
    for _ in range(20):
        client.users_list()
    with pytest.raises(SlackApiError) as exc:
        client.users_list()
    assert exc.value.response.status_code == 429
    sim.enforce_rate_limits(False)
    client.users_list()
