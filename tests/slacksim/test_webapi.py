"""The real slack_sdk WebClient against the simulator's Web API."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slacksim import SimChannel, SimUser, SimWorkspace, SlackSimulator
from tests.slacksim.helpers import SHARED

MODAL = {
    "type": "modal",
    "callback_id": "note",
    "title": {"type": "plain_text", "text": "Add a note"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "b",
            "label": {"type": "plain_text", "text": "Note"},
            "element": {"type": "plain_text_input", "action_id": "a"},
        }
    ],
}


def _error(exc: pytest.ExceptionInfo[SlackApiError]) -> Any:
    return exc.value.response["error"]


# Scopes the default install does not grant (Rapport needs none of them), for the methods that need them.
EXTRA_SCOPES = ("im:write", "team:read")


def test_auth_test(client: WebClient) -> None:
    resp = client.auth_test()
    assert resp.data == {
        "ok": True,
        "url": "https://rapport-sim.slack.com/",
        "team": "Rapport Sim",
        "user": "rapport",
        "team_id": "T0SIM0001",
        "user_id": "U0RAPPORT",
        "bot_id": "B0RAPPORT",
        "is_enterprise_install": False,
    }


def test_post_to_channel_needs_membership(sim: SlackSimulator, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C0SUPPORT", text="hello")
    assert _error(exc) == "not_in_channel"
    sim.set_bot_member("C0SUPPORT")
    resp = client.chat_postMessage(
        channel="C0SUPPORT", text="hello", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}]
    )
    assert resp["channel"] == "C0SUPPORT"
    assert resp["message"]["bot_id"] == "B0RAPPORT"
    [msg] = sim.messages("C0SUPPORT")
    assert msg["ts"] == resp["ts"] and msg["text"] == "hello" and msg["blocks"][0]["type"] == "section"
    # Blocks arrive as a JSON string in form posts and as objects in JSON bodies; both are recorded as objects.
    assert sim.calls_to("chat.postMessage")[-1].args["blocks"][0]["type"] == "section"


def test_post_to_user_id_lands_in_dm(sim: SlackSimulator, client: WebClient) -> None:
    resp = client.chat_postMessage(channel="U0DANA", text="psst")
    assert resp["channel"] == "D0DANA"
    assert [m["text"] for m in sim.dm_messages("U0DANA")] == ["psst"]
    assert sim.calls_to("conversations.open") == []


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_post_errors(sim: SlackSimulator, client: WebClient) -> None:
    sim.workspace.users.append(SimUser("U0GONE", "gone", "Gone User", deleted=True))
    cases: list[tuple[dict[str, Any], str]] = [
        ({"channel": "C0NOPE", "text": "x"}, "channel_not_found"),
        ({"channel": "G0PRIVATE", "text": "x"}, "channel_not_found"),  # private, bot not a member
        ({"channel": "U0NOBODY", "text": "x"}, "user_not_found"),
        ({"channel": "U0GONE", "text": "x"}, "account_inactive"),
        ({"channel": "U0OTHERBOT", "text": "x"}, "cannot_dm_bot"),
        ({"channel": "U0DANA"}, "no_text"),
    ]
    for args, error in cases:
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(**args)
        assert _error(exc) == error, args


def test_block_kit_limits_are_enforced(client: WebClient) -> None:
    blocks = [{"type": "divider"}] * 51
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="U0DANA", text="x", blocks=blocks)
    assert _error(exc) == "invalid_blocks"
    assert "no more than 50" in exc.value.response["response_metadata"]["messages"][0]


def test_menus_and_pickers_are_checked_against_slacks_limits(client: WebClient) -> None:
    option = {"text": {"type": "plain_text", "text": "Edit…"}, "value": "1:edit"}
    too_many = {"type": "overflow", "action_id": "menu", "options": [option] * 6}
    long_text = {**option, "text": {"type": "plain_text", "text": "x" * 76}}
    long_value = {**option, "value": "v" * 151}
    bad_date = {"type": "datepicker", "action_id": "day", "initial_date": "24/11/2026"}
    bad_time = {"type": "timepicker", "action_id": "time", "initial_time": "9am"}
    for element in (too_many, {**too_many, "options": [long_text]}, {**too_many, "options": [long_value]}):
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="U0DANA", text="x", blocks=[{"type": "actions", "elements": [element]}])
        assert _error(exc) == "invalid_blocks"
    for element in (bad_date, bad_time):
        view = {
            "type": "modal",
            "title": {"type": "plain_text", "text": "Snooze"},
            "blocks": [{"type": "input", "label": {"type": "plain_text", "text": "x"}, "element": element}],
        }
        with pytest.raises(SlackApiError) as exc:
            client.views_publish(user_id="U0DANA", view={**view, "type": "home"})
        assert _error(exc) == "invalid_arguments"
    fine = {"type": "overflow", "action_id": "menu", "options": [option] * 5}
    assert client.chat_postMessage(channel="U0DANA", text="x", blocks=[{"type": "actions", "elements": [fine]}])["ok"]


def test_update_delete_permalink_reactions(sim: SlackSimulator, client: WebClient) -> None:
    sim.bot_scopes = [*sim.bot_scopes, *EXTRA_SCOPES]  # methods Rapport itself never calls
    sim.set_bot_member("C0SUPPORT")
    ts = client.chat_postMessage(channel="C0SUPPORT", text="v1")["ts"]
    updated = client.chat_update(channel="C0SUPPORT", ts=ts, text="v2")
    assert updated["message"]["text"] == "v2" and sim.messages("C0SUPPORT")[0]["text"] == "v2"
    link = client.chat_getPermalink(channel="C0SUPPORT", message_ts=ts)["permalink"]
    assert link == f"https://rapport-sim.slack.com/archives/C0SUPPORT/p{ts.replace('.', '')}"
    client.reactions_add(channel="C0SUPPORT", timestamp=ts, name="eyes")
    assert sim.messages("C0SUPPORT")[0]["reactions"] == [{"name": "eyes", "users": ["U0RAPPORT"], "count": 1}]
    user_ts = sim.seed_message("U0DANA", "C0SUPPORT", "a human wrote this")
    with pytest.raises(SlackApiError) as exc:
        client.chat_update(channel="C0SUPPORT", ts=user_ts, text="hijack")
    assert _error(exc) == "cant_update_message"
    with pytest.raises(SlackApiError) as exc:
        client.chat_update(channel="C0SUPPORT", ts="1.000001", text="x")
    assert _error(exc) == "message_not_found"
    client.chat_delete(channel="C0SUPPORT", ts=ts)
    assert [m["ts"] for m in sim.messages("C0SUPPORT")] == [user_ts]


def test_ephemeral_is_recorded_for_its_recipient(sim: SlackSimulator, client: WebClient) -> None:
    sim.set_bot_member("C0SUPPORT")
    resp = client.chat_postEphemeral(channel="C0SUPPORT", user="U0LEE", text="only you")
    assert resp["message_ts"]
    assert sim.ephemerals(user="U0LEE") == [
        {"channel": "C0SUPPORT", "user": "U0LEE", "text": "only you", "message_ts": resp["message_ts"]}
    ]
    assert sim.messages("C0SUPPORT") == []
    with pytest.raises(SlackApiError) as exc:
        client.chat_postEphemeral(channel="C0SUPPORT", user="W0EXTBOB", text="x")  # not a member
    assert _error(exc) == "user_not_in_channel"


def test_users_info_and_lookup(client: WebClient) -> None:
    dana = client.users_info(user="U0DANA")["user"]
    assert (dana["id"], dana["name"], dana["real_name"], dana["tz"]) == (
        "U0DANA",
        "dana",
        "Dana Scully",
        "America/New_York",
    )
    assert dana["is_admin"] is True and dana["is_owner"] is False and dana["is_bot"] is False
    assert dana["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert dana["profile"]["email"] == "dana@example.com"
    assert dana["profile"]["image_48"].startswith("https://")
    bob = client.users_info(user="W0EXTBOB")["user"]
    assert bob["team_id"] == "T0EXT0001"
    assert client.users_lookupByEmail(email="LEE@example.com")["user"]["id"] == "U0LEE"
    with pytest.raises(SlackApiError) as exc:
        client.users_info(user="U0NOBODY")
    assert _error(exc) == "user_not_found"
    with pytest.raises(SlackApiError) as exc:
        client.users_lookupByEmail(email="nobody@example.com")
    assert _error(exc) == "users_not_found"


def test_tz_offset_follows_the_sim_clock(sim: SlackSimulator, client: WebClient) -> None:
    sim.clock = lambda: 1767225600.0  # 2026-01-01: southern summer
    assert client.users_info(user="U0KIRI")["user"]["tz_offset"] == 13 * 3600
    sim.clock = lambda: 1782864000.0  # 2026-07-01: southern winter
    kiri = client.users_info(user="U0KIRI")["user"]
    assert kiri["tz_offset"] == 12 * 3600 and kiri["tz_label"] == "New Zealand Standard Time"


def test_conversations(sim: SlackSimulator, client: WebClient) -> None:
    sim.bot_scopes = [*sim.bot_scopes, *EXTRA_SCOPES]  # methods Rapport itself never calls
    acme = client.conversations_info(channel="C0ACME")["channel"]
    assert acme["is_ext_shared"] is True and acme["is_member"] is False and acme["name"] == "acme-shared"
    assert "W0EXTBOB" in client.conversations_members(channel="C0ACME")["members"]
    assert "W0EXTBOB" not in client.conversations_members(channel="C0SUPPORT")["members"]
    opened = client.conversations_open(users="U0STEPH")
    assert opened["channel"]["id"] == "D0STEPH"
    with pytest.raises(SlackApiError) as exc:
        client.conversations_info(channel="C0NOPE")
    assert _error(exc) == "channel_not_found"


def test_views_open_update_publish(sim: SlackSimulator, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id="123.456.abc", view=MODAL)
    assert _error(exc) == "invalid_trigger_id"
    trigger = sim.new_trigger_id("U0DANA")
    view = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert view["id"].startswith("V") and view["hash"] and view["callback_id"] == "note"
    assert view["team_id"] == "T0SIM0001" and view["app_id"] == "A0RAPPORT"
    updated = client.views_update(view_id=view["id"], hash=view["hash"], view={**MODAL, "callback_id": "note2"})
    assert updated["view"]["id"] == view["id"] and updated["view"]["callback_id"] == "note2"
    with pytest.raises(SlackApiError) as exc:
        client.views_update(view_id=view["id"], hash=view["hash"], view=MODAL)  # stale hash
    assert _error(exc) == "hash_conflict"
    assert [v["callback_id"] for v in sim.views()] == ["note2"]
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}
    published = client.views_publish(user_id="U0LEE", view=home)["view"]
    assert published["type"] == "home"
    assert sim.home_view("U0LEE") is not None
    with pytest.raises(SlackApiError) as exc:
        client.views_open(
            trigger_id=sim.new_trigger_id(), view={**MODAL, "title": {"type": "plain_text", "text": "x" * 25}}
        )
    assert _error(exc) == "invalid_arguments"


def test_team_info_and_history(sim: SlackSimulator, client: WebClient) -> None:
    sim.bot_scopes = [*sim.bot_scopes, *EXTRA_SCOPES]  # methods Rapport itself never calls
    team = client.team_info()["team"]
    assert (team["id"], team["name"], team["domain"]) == ("T0SIM0001", "Rapport Sim", "rapport-sim")
    assert client.team_info(team="T0EXT0001")["team"]["name"] == "Acme Corp"
    sim.set_bot_member("C0RANDOM")
    parent = client.chat_postMessage(channel="C0RANDOM", text="parent")["ts"]
    client.chat_postMessage(channel="C0RANDOM", text="reply", thread_ts=parent)
    history = client.conversations_history(channel="C0RANDOM")["messages"]
    assert [m["text"] for m in history] == ["parent"] and history[0]["reply_count"] == 1
    replies = client.conversations_replies(channel="C0RANDOM", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["parent", "reply"]


def test_api_errors(sim: SlackSimulator, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.api_call("chat.frobnicate")
    assert exc.value.response.data == {"ok": False, "error": "unknown_method", "req_method": "chat.frobnicate"}
    with pytest.raises(SlackApiError) as exc:
        client.api_call("users.info", params={})
    assert exc.value.response.data == {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {"messages": ["[ERROR] missing required field: user"]},
    }
    for token, error in (("xoxb-wrong", "invalid_auth"), ("xapp-sim-token", "not_allowed_token_type")):
        with pytest.raises(SlackApiError) as exc:
            WebClient(token=token, base_url=sim.api_url).auth_test()
        assert _error(exc) == error
    with pytest.raises(SlackApiError) as exc:
        WebClient(base_url=sim.api_url).auth_test()
    assert _error(exc) == "not_authed"
    with pytest.raises(SlackApiError) as exc:
        client.apps_connections_open(app_token="xoxb-sim-token")
    assert _error(exc) == "invalid_auth"
    # Failed calls are recorded too, with the token they carried.
    assert [c.error for c in sim.calls_to("auth.test")] == ["invalid_auth", "not_allowed_token_type", "not_authed"]
    assert sim.calls_to("auth.test")[0].token == "xoxb-wrong"


def test_form_json_and_query_string_args(sim: SlackSimulator) -> None:
    def raw(path: str, data: bytes | None, headers: dict[str, str]) -> Any:
        req = urllib.request.Request(sim.api_url + path, data=data, headers=headers)
        with urllib.request.urlopen(req, timeout=5) as resp:
            return json.loads(resp.read())

    assert raw("users.info?user=U0LEE&token=xoxb-sim-token", None, {})["user"]["name"] == "lee"
    form = b"token=xoxb-sim-token&channel=U0LEE&blocks=%5B%7B%22type%22%3A%22divider%22%7D%5D"
    assert raw("chat.postMessage", form, {"Content-Type": "application/x-www-form-urlencoded"})["ok"]
    body = json.dumps({"channel": "U0LEE", "blocks": [{"type": "divider"}]}).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "Authorization": "Bearer xoxb-sim-token"}
    assert raw("chat.postMessage", body, headers)["ok"]
    assert [c.args["blocks"] for c in sim.calls_to("chat.postMessage")] == [[{"type": "divider"}]] * 2


def test_custom_workspace(tmp_path: Any) -> None:
    users = [SimUser(f"U{i:05d}", f"user{i}", f"User {i}", email=f"u{i}@example.com") for i in range(500)]
    ws = SimWorkspace(users=users, channels=[SimChannel("C0BIG", "big", bot_is_member=True)])
    with SlackSimulator(workspace=ws) as sim:
        client = WebClient(token=sim.bot_token, base_url=sim.api_url)
        page = client.conversations_members(channel="C0BIG", limit=200)
        assert len(page["members"]) == 200 and page["response_metadata"]["next_cursor"]
        assert client.users_info(user="U00499")["user"]["name"] == "user499"


def test_response_shapes_match_slack_samples(sim: SlackSimulator, client: WebClient) -> None:
    """Every field the simulator returns exists in the response samples Slack published."""
    sim.bot_scopes = [*sim.bot_scopes, *EXTRA_SCOPES]  # methods Rapport itself never calls

    def sample(method: str) -> Any:
        return json.loads((SHARED / "api-responses" / f"{method}.json").read_text())

    def assert_subset(ours: dict[str, Any], theirs: dict[str, Any], where: str) -> None:
        extra = set(ours) - set(theirs)
        assert not extra, f"{where}: fields not in Slack's sample: {sorted(extra)}"

    sim.set_bot_member("C0SUPPORT")
    assert_subset(client.auth_test().data, sample("auth.test"), "auth.test")  # type: ignore[arg-type]
    user = client.users_info(user="U0DANA")["user"]
    assert_subset(user, sample("users.info")["user"], "users.info user")
    assert_subset(user["profile"], sample("users.info")["user"]["profile"], "users.info profile")
    channel = client.conversations_info(channel="C0ACME")["channel"]
    assert_subset(channel, sample("conversations.info")["channel"], "conversations.info channel")
    team = client.team_info()["team"]
    assert_subset(team, sample("team.info")["team"], "team.info team")
    assert_subset(team["icon"], sample("team.info")["team"]["icon"], "team.info icon")
    view = client.views_open(trigger_id=sim.new_trigger_id(), view=MODAL)["view"]
    assert_subset(view, sample("views.open")["view"], "views.open view")
    ts = client.chat_postMessage(channel="C0SUPPORT", text="x")["ts"]
    for method, resp in (
        ("chat.getPermalink", client.chat_getPermalink(channel="C0SUPPORT", message_ts=ts)),
        ("chat.postEphemeral", client.chat_postEphemeral(channel="C0SUPPORT", user="U0LEE", text="x")),
        ("conversations.members", client.conversations_members(channel="C0SUPPORT")),
        ("reactions.add", client.reactions_add(channel="C0SUPPORT", timestamp=ts, name="tada")),
        ("chat.delete", client.chat_delete(channel="C0SUPPORT", ts=ts)),
        ("apps.connections.open", client.apps_connections_open(app_token=sim.app_token)),
    ):
        assert_subset(resp.data, sample(method), method)  # type: ignore[arg-type]


def test_users_list_pages_with_a_cursor_and_names_the_primary_owner() -> None:
    users = [SimUser(f"U{i:05d}", f"user{i}", f"User {i}", tz="Europe/Paris") for i in range(450)]
    users[333].is_primary_owner = True
    with SlackSimulator(workspace=SimWorkspace(users=users)) as sim:
        client = WebClient(token=sim.bot_token, base_url=sim.api_url)
        seen, cursor, pages = [], None, 0
        while True:
            page = client.users_list(limit=200, cursor=cursor)
            pages += 1
            seen += page["members"]
            cursor = page["response_metadata"]["next_cursor"]
            if not cursor:
                break
        assert pages == 3 and [m["id"] for m in seen] == [u.id for u in users]
        assert [m["id"] for m in seen if m["is_primary_owner"]] == ["U00333"]
        sample = json.loads((SHARED / "api-responses" / "users.info.json").read_text())["user"]
        for member in seen[:3]:
            assert not set(member) - set(sample), "users.list members are users.info users"
            assert member["tz"] == "Europe/Paris" and isinstance(member["tz_offset"], int)
        assert len(client.users_list()["members"]) == 450  # no limit: the whole list at once
        with pytest.raises(SlackApiError) as bad:
            client.users_list(cursor="not-a-cursor")
        assert _error(bad) == "invalid_cursor"


def test_usergroups_users_list(sim: SlackSimulator, client: WebClient) -> None:
    """usergroups.users.list as Slack answers it: {ok, users}; a disabled group only with include_disabled; errors
    no_such_subteam, plan_upgrade_required and missing_scope (usergroups:read)."""
    assert client.usergroups_users_list(usergroup="S0SUPPORT").data == {
        "ok": True,
        "users": ["U0DANA", "U0LEE", "U0STEPH"],
    }
    assert sim.workspace.usergroups["S0SUPPORT"].mention() == "<!subteam^S0SUPPORT|@support-team>"
    sim.workspace.usergroups["S0SUPPORT"].disabled = True
    with pytest.raises(SlackApiError) as disabled:
        client.usergroups_users_list(usergroup="S0SUPPORT")
    assert _error(disabled) == "no_such_subteam"
    assert client.usergroups_users_list(usergroup="S0SUPPORT", include_disabled=True)["users"]
    with pytest.raises(SlackApiError) as unknown:
        client.usergroups_users_list(usergroup="S0NOPE")
    assert _error(unknown) == "no_such_subteam"
    sim.workspace.usergroups_on_plan = False
    with pytest.raises(SlackApiError) as free:
        client.usergroups_users_list(usergroup="S0SUPPORT")
    assert _error(free) == "plan_upgrade_required"
    sim.bot_scopes = [s for s in sim.bot_scopes if s != "usergroups:read"]
    with pytest.raises(SlackApiError) as scope:
        client.usergroups_users_list(usergroup="S0SUPPORT")
    assert scope.value.response.data["needed"] == "usergroups:read"
