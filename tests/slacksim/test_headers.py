"""What Slack says in the headers of every Web API answer: the token's scopes and its own time; and refused tokens."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slacksim import SlackSimulator
from bot.slacksim.workspace import INSTALLED_BOT_SCOPES


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _date(headers: dict[str, str]) -> float:
    value = _header(headers, "date")
    assert value is not None, headers
    return parsedate_to_datetime(value).timestamp()


def test_every_answer_to_the_bot_token_names_its_scopes_and_slacks_time(sim: SlackSimulator, client: WebClient) -> None:
    ok = client.auth_test()
    assert _header(ok.headers, "x-oauth-scopes") == ",".join(INSTALLED_BOT_SCOPES)
    assert abs(_date(ok.headers) - time.time()) < 2
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0SUPPORT", text="not a member yet")
    assert refused.value.response["error"] == "not_in_channel"
    assert _header(refused.value.response.headers, "x-oauth-scopes") == ",".join(INSTALLED_BOT_SCOPES)
    assert abs(_date(refused.value.response.headers) - time.time()) < 2


def test_a_test_chooses_what_the_install_granted(sim: SlackSimulator, client: WebClient) -> None:
    sim.bot_scopes = [s for s in sim.bot_scopes if s != "reactions:read"]
    granted = _header(client.auth_test().headers, "x-oauth-scopes")
    assert granted is not None and "reactions:read" not in granted.split(",") and "chat:write" in granted.split(",")


def test_the_app_level_token_carries_connections_write(sim: SlackSimulator) -> None:
    opened = WebClient(token=sim.app_token, base_url=sim.api_url).apps_connections_open(app_token=sim.app_token)
    assert _header(opened.headers, "x-oauth-scopes") == "connections:write"


def test_an_unknown_token_gets_no_scopes_but_still_the_date(sim: SlackSimulator) -> None:
    with pytest.raises(SlackApiError) as refused:
        WebClient(token="xoxb-someone-else", base_url=sim.api_url).auth_test()
    assert refused.value.response["error"] == "invalid_auth"
    assert _header(refused.value.response.headers, "x-oauth-scopes") is None
    assert abs(_date(refused.value.response.headers) - time.time()) < 2


def test_the_date_header_follows_the_simulators_clock(sim: SlackSimulator, client: WebClient) -> None:
    sim.clock = lambda: time.time() + 300
    assert 298 < _date(client.auth_test().headers) - time.time() < 302


@pytest.mark.parametrize("error", ["token_revoked", "invalid_auth", "account_inactive"])
def test_a_refused_token_fails_every_call_until_accepted_again(
    sim: SlackSimulator, client: WebClient, error: str
) -> None:
    sim.refuse_token(error)
    for call in (client.auth_test, lambda: client.users_info(user="U0LEE")):
        with pytest.raises(SlackApiError) as refused:
            call()
        assert refused.value.response.data == {"ok": False, "error": error}
        assert _header(refused.value.response.headers, "x-oauth-scopes") is None
    # The app-level token is a different token: Socket Mode still opens.
    assert WebClient(token=sim.app_token, base_url=sim.api_url).apps_connections_open(app_token=sim.app_token)["ok"]
    sim.accept_token()
    assert client.auth_test()["ok"]
    assert [c.error for c in sim.calls_to("auth.test")] == [error, None]
