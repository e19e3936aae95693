"""How Slack refuses a call, as the simulator answers it: a refused token on every method, a scope not granted,
a trigger id expired or used twice, and a channel the bot cannot post to; each shape as Slack's samples have it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slacksim import SlackSimulator
from tests.conftest import SLACK_FIXTURES
from tests.slacksim.test_webapi import MODAL

SAMPLES = SLACK_FIXTURES / "api-responses"


def _refusal(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as refused:
        call()
    data = refused.value.response.data
    assert isinstance(data, dict) and refused.value.response.status_code == 200
    return data


def _sample_keys(method: str) -> set[str]:
    return set(json.loads((SAMPLES / f"{method}.json").read_text()))


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired"])
def test_a_refused_token_fails_every_method_with_slacks_shape(
    sim: SlackSimulator, client: WebClient, error: str
) -> None:
    sim.refuse_token(error)
    calls: list[Callable[[], Any]] = [
        client.auth_test,
        lambda: client.chat_postMessage(channel="U0LEE", text="hi"),
        lambda: client.chat_postEphemeral(channel="C0SUPPORT", user="U0LEE", text="hi"),
        lambda: client.conversations_history(channel="C0SUPPORT"),
        lambda: client.users_info(user="U0LEE"),
        lambda: client.views_publish(user_id="U0LEE", view={"type": "home", "blocks": []}),
        lambda: client.views_open(trigger_id=sim.new_trigger_id("U0LEE"), view=MODAL),
    ]
    for call in calls:
        assert _refusal(call) == {"ok": False, "error": error}
    sim.accept_token()
    assert client.chat_postMessage(channel="U0LEE", text="hi")["ok"]


def test_a_scope_not_granted_is_named_in_needed_with_what_was_provided(sim: SlackSimulator, client: WebClient) -> None:
    sim.bot_scopes = [s for s in sim.bot_scopes if s != "chat:write"]
    refused = _refusal(lambda: client.chat_postMessage(channel="U0LEE", text="hi"))
    assert refused["error"] == "missing_scope" and refused["needed"] == "chat:write"
    assert refused["provided"].split(",") == sim.bot_scopes
    assert set(refused) <= _sample_keys("chat.postEphemeral")  # the fields Slack's own refusals carry
    assert client.users_info(user="U0LEE")["ok"]  # other methods still work

    sim.bot_scopes = [s for s in sim.bot_scopes if s not in ("users:read", "reactions:write")]
    assert _refusal(lambda: client.users_info(user="U0LEE"))["needed"] == "users:read"
    assert _refusal(lambda: client.reactions_add(channel="C0SUPPORT", timestamp="1.000001", name="eyes"))["needed"] == (
        "reactions:write"
    )


def test_a_conversation_read_needs_the_scope_of_its_kind(sim: SlackSimulator, client: WebClient) -> None:
    sim.set_bot_member("C0SUPPORT")
    sim.bot_scopes = [s for s in sim.bot_scopes if s != "channels:history"]
    refused = _refusal(lambda: client.conversations_history(channel="C0SUPPORT"))
    assert (refused["error"], refused["needed"]) == ("missing_scope", "channels:history")
    assert _refusal(lambda: client.conversations_history(channel="C0NOPE"))["error"] == "channel_not_found"


def test_a_trigger_id_works_once_and_expires_after_three_seconds(sim: SlackSimulator, client: WebClient) -> None:
    now = [time.time()]
    sim.clock = lambda: now[0]
    trigger = sim.new_trigger_id("U0DANA")
    assert client.views_open(trigger_id=trigger, view=MODAL)["ok"]
    assert _refusal(lambda: client.views_open(trigger_id=trigger, view=MODAL)) == {
        "ok": False,
        "error": "expired_trigger_id",
    }
    late = sim.new_trigger_id("U0DANA")
    now[0] += 3.5
    assert _refusal(lambda: client.views_open(trigger_id=late, view=MODAL))["error"] == "expired_trigger_id"
    fresh = sim.new_trigger_id("U0DANA")
    now[0] += 2.5
    assert client.views_open(trigger_id=fresh, view=MODAL)["ok"]
    assert set(_refusal(lambda: client.views_open(trigger_id=fresh, view=MODAL))) <= _sample_keys("views.open")
    sim.trigger_lifetime = 0  # an app slower than Slack allows: every trigger has expired by the time it is used
    slow = sim.new_trigger_id("U0DANA")
    assert _refusal(lambda: client.views_open(trigger_id=slow, view=MODAL))["error"] == "expired_trigger_id"


def test_chat_post_message_refuses_archived_unjoined_and_unknown_channels(
    sim: SlackSimulator, client: WebClient
) -> None:
    sim.set_bot_member("C0SUPPORT")
    assert client.chat_postMessage(channel="C0SUPPORT", text="hello")["ok"]
    sim.archive_channel("C0SUPPORT")
    assert _refusal(lambda: client.chat_postMessage(channel="C0SUPPORT", text="hi")) == {
        "ok": False,
        "error": "is_archived",
    }
    assert _refusal(lambda: client.chat_postMessage(channel="C0ACME", text="hi"))["error"] == "not_in_channel"
    assert _refusal(lambda: client.chat_postMessage(channel="C0NOPE", text="hi"))["error"] == "channel_not_found"
