"""The simulator's OAuth v2: an approval's code exchanged once at oauth.v2.access, by the app's client credentials,
for the bot token of the approved workspace, answered in Slack's documented shape."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slacksim import SimWorkspace, SlackSimulator


def test_a_code_is_exchanged_once_for_the_workspaces_bot_token() -> None:
    with SlackSimulator(bot_token="xoxb-first") as sim:
        other = SimWorkspace.default()
        other.team_id, other.team_name = "T0SIM0002", "Second"
        second = sim.add_workspace(other, bot_token="xoxb-second")
        sim.oauth.token_rotation = True
        client = WebClient(base_url=sim.api_url)
        code = second.authorize(user="U0DANA", scopes=["chat:write", "users:read"])
        answer = client.oauth_v2_access(client_id="sim-client-id", client_secret="sim-client-secret", code=code)
        assert answer["access_token"] == "xoxb-second" and answer["token_type"] == "bot"
        assert answer["team"] == {"id": "T0SIM0002", "name": "Second"} and answer["enterprise"] is None
        assert answer["scope"] == "chat:write,users:read" and answer["authed_user"] == {"id": "U0DANA"}
        assert answer["is_enterprise_install"] is False and answer["bot_user_id"] and answer["app_id"]
        assert answer["refresh_token"].startswith("xoxe-") and answer["expires_in"] > 0
        # The token speaks for its own workspace, at the one Web API URL.
        assert WebClient(token="xoxb-second", base_url=sim.api_url).auth_test()["team_id"] == "T0SIM0002"
        assert WebClient(token="xoxb-first", base_url=sim.api_url).auth_test()["team_id"] == "T0SIM0001"
        with pytest.raises(SlackApiError) as again:
            client.oauth_v2_access(client_id="sim-client-id", client_secret="sim-client-secret", code=code)
        assert again.value.response["error"] == "invalid_code"


@pytest.mark.parametrize(
    ("client_id", "client_secret", "error"),
    [("someone-else", "sim-client-secret", "invalid_client_id"), ("sim-client-id", "wrong", "bad_client_secret")],
)
def test_wrong_client_credentials_are_refused(client_id: str, client_secret: str, error: str) -> None:
    with SlackSimulator() as sim:
        code = sim.authorize()
        with pytest.raises(SlackApiError) as refused:
            WebClient(base_url=sim.api_url).oauth_v2_access(client_id=client_id, client_secret=client_secret, code=code)
        assert refused.value.response["error"] == error
