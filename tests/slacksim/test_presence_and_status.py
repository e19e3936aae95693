"""users.getPresence and users.profile.get as Slack answers them, and the simulator's ways to set presence, status
and membership."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slacksim import SlackSimulator


def test_another_persons_presence_is_only_active_or_away(sim: SlackSimulator, client: WebClient) -> None:
    assert client.users_getPresence(user="U0LEE").data == {"ok": True, "presence": "active"}
    sim.set_presence("U0LEE", "away")
    assert client.users_getPresence(user="U0LEE").data == {"ok": True, "presence": "away"}
    with pytest.raises(ValueError):
        sim.set_presence("U0LEE", "dnd")
    with pytest.raises(SlackApiError) as raised:
        client.users_getPresence(user="U0NOBODY")
    assert raised.value.response["error"] == "user_not_found"


def test_the_callers_own_presence_says_how_slack_worked_it_out(client: WebClient) -> None:
    own = client.api_call("users.getPresence", http_verb="GET").data
    assert own["presence"] == "active" and own["online"] is True
    assert {"auto_away", "manual_away", "connection_count", "last_activity"} <= set(own)


def test_a_status_shows_in_users_profile_get_and_users_info_until_it_expires(
    sim: SlackSimulator, client: WebClient
) -> None:
    now = [1_800_000_000.0]
    sim.clock = lambda: now[0]
    sim.set_status("U0LEE", emoji=":palm_tree:", text="On vacation", expiration=now[0] + 3600)
    profile = client.users_profile_get(user="U0LEE")["profile"]
    assert (profile["status_emoji"], profile["status_text"], profile["status_expiration"]) == (
        ":palm_tree:",
        "On vacation",
        int(now[0] + 3600),
    )
    assert profile["display_name"] == "Lee" and "email" in profile
    assert client.users_info(user="U0LEE")["user"]["profile"]["status_text"] == "On vacation"
    now[0] += 3600  # Slack clears a status when it expires
    cleared = client.users_profile_get(user="U0LEE")["profile"]
    assert (cleared["status_emoji"], cleared["status_text"], cleared["status_expiration"]) == ("", "", 0)


def test_users_profile_get_needs_its_scope(sim: SlackSimulator, client: WebClient) -> None:
    sim.bot_scopes = [s for s in sim.bot_scopes if s != "users.profile:read"]
    with pytest.raises(SlackApiError) as raised:
        client.users_profile_get(user="U0LEE")
    assert raised.value.response["error"] == "missing_scope"
    assert raised.value.response["needed"] == "users.profile:read"


def test_a_deactivated_person(sim: SlackSimulator, client: WebClient) -> None:
    sim.deactivate_user("U0LEE")
    assert client.users_info(user="U0LEE")["user"]["deleted"] is True
    assert client.users_getPresence(user="U0LEE")["presence"] == "away"
