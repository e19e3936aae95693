"""The payload readers: who, where and what, read leniently from every shape Slack sends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.listeners.payloads import actor, channel_of, kind_of, read_request, request_ids, response_url_of
from tests.listeners.conftest import SLACK_SAMPLES, sample

CLIENT = WebClient(token="xoxb-unused", base_url="http://127.0.0.1:9/api/")
APP_BACKEND = sorted((SLACK_SAMPLES / "payloads" / "app-backend").rglob("*.json"))
EVENTS = sorted((SLACK_SAMPLES / "payloads" / "events").glob("*.json"))


def command(**fields: str) -> dict[str, str]:
    return {
        "token": "verification-token",
        "team_id": "T0SIM0001",
        "user_id": "U0DANA",
        "channel_id": "C0SUPPORT",
        "command": "/customer",
        "text": "add Secret Customer",
        "trigger_id": "1.2.abc",
        "response_url": "https://hooks.slack.test/commands/1",
        **fields,
    }


def test_actor_reads_commands_clicks_and_submissions() -> None:
    assert actor(command()) == ("T0SIM0001", "U0DANA")
    click = {"type": "block_actions", "team": {"id": "T0SIM0001"}, "user": {"id": "U0LEE", "team_id": "T0OTHER"}}
    assert actor(click) == ("T0SIM0001", "U0LEE")
    assert actor({"type": "block_actions", "team": None, "user": {"id": "U0LEE", "team_id": "T0GRID"}}) == (
        "T0GRID",
        "U0LEE",
    )
    submitted = {
        "type": "view_submission",
        "team": {"id": "T0ENVELOPE"},
        "user": {"id": "U0LEE"},
        "view": {"team_id": "T0SIM0001"},
    }
    assert actor(submitted) == ("T0SIM0001", "U0LEE")  # the view's workspace, as before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"user": None, "team": None},
        {"user": "U0LEE", "team": "T0"},
        {"user": {"id": 7}, "team": {"id": None}},
        {"type": "view_submission", "view": None},
        {"user_id": None, "team_id": 3},
    ],
)
def test_actor_reads_blank_and_odd_shapes_as_blanks(body: dict[str, object]) -> None:
    assert actor(body) == ("", "")


def test_where_and_how_to_answer() -> None:
    assert channel_of(command()) == "C0SUPPORT"
    assert channel_of({"channel": {"id": "C0CLICK"}}) == "C0CLICK"
    assert channel_of({"container": {"type": "message", "channel_id": "C0CONTAINER"}}) == "C0CONTAINER"
    assert channel_of({"container": {"type": "view"}, "channel": None}) == ""
    assert response_url_of(command()) == "https://hooks.slack.test/commands/1"
    assert response_url_of({"response_urls": [{"response_url": "https://hooks.slack.test/modal"}]}) == (
        "https://hooks.slack.test/modal"
    )
    assert response_url_of({"response_urls": []}) == response_url_of({"response_urls": "x"}) == ""
    assert kind_of(command()) == "command"
    assert kind_of({"type": "view_submission"}) == "view_submission"


def test_a_request_reads_a_click_and_a_submission() -> None:
    click = read_request(
        {
            "type": "block_actions",
            "team": {"id": "T0SIM0001"},
            "user": {"id": "U0LEE"},
            "container": {"type": "view", "view_id": "V1"},
            "trigger_id": "1.2.x",
            "actions": [{"action_id": "followup_done", "value": "12"}],
        },
        client=CLIENT,
    )
    assert (click.kind, click.team_id, click.user_id, click.trigger_id) == (
        "block_actions",
        "T0SIM0001",
        "U0LEE",
        "1.2.x",
    )
    assert click.action_value == "12" and click.in_view and click.response_url == "" and click.message == {}
    view = {
        "id": "V2",
        "team_id": "T0SIM0001",
        "private_metadata": '{"channel":"C1"}',
        "state": {"values": {"followup_when": {"when": {"type": "plain_text_input", "value": "tomorrow"}}}},
    }
    submission = read_request({"type": "view_submission", "user": {"id": "U0LEE"}, "view": view}, client=CLIENT)
    assert submission.value("followup_when", "when") == "tomorrow"
    assert submission.value("followup_note", "note") is None
    assert submission.value("followup_when", "when", "selected_user") is None
    assert submission.metadata == '{"channel":"C1"}' and not submission.in_view
    assert click.clicked_message is None and submission.clicked_message is None


def test_only_a_message_in_a_conversation_is_a_clicked_message_to_update_later() -> None:
    def clicked(container: object) -> tuple[str, str] | None:
        body = {"type": "block_actions", "user": {"id": "U0LEE"}, "container": container, "actions": [{}]}
        return read_request(body, client=CLIENT).clicked_message

    dm = {"type": "message", "channel_id": "D0LEE", "message_ts": "1700000000.000100", "is_ephemeral": False}
    assert clicked(dm) == ("D0LEE", "1700000000.000100")
    assert clicked({**dm, "is_ephemeral": True}) is None  # a `/followup list` answer
    assert clicked({**dm, "message_ts": "yesterday"}) is None
    assert clicked({**dm, "channel_id": 7}) is None
    assert clicked("message") is None


@pytest.mark.parametrize("path", APP_BACKEND + EVENTS, ids=lambda p: p.name)
def test_every_published_shape_reads_without_error(path: Path) -> None:
    body = json.loads(path.read_text())
    request = read_request(body, client=CLIENT)
    assert request.team_id == request.user_id == ""  # Slack's samples are blanked
    assert isinstance(request.text, str) and isinstance(request.action, dict) and isinstance(request.view, dict)
    assert request.value("any", "thing") is None and isinstance(request.metadata, str)
    assert all(isinstance(v, str) and v for v in request_ids(body).values())


def test_request_ids_name_the_request_but_never_its_words_or_tokens() -> None:
    ids = request_ids(command(text="add <!channel> Secret Customer"))
    assert ids == {
        "kind": "command",
        "command": "/customer",
        "team": "T0SIM0001",
        "user": "U0DANA",
        "channel": "C0SUPPORT",
        "trigger_id": "1.2.abc",
    }
    click = sample("payloads/app-backend/interactive-components/BlockActionPayload.json")
    click.update(team={"id": "T0SIM0001"}, user={"id": "U0LEE"}, token="xoxb-secret", trigger_id="9.9.z")
    click["actions"][0].update(action_id="followup_done", value="secret value")
    click["message"]["text"] = "secret words"
    ids = request_ids(click)
    assert ids["kind"] == "block_actions" and ids["action_id"] == "followup_done" and ids["trigger_id"] == "9.9.z"
    shown = json.dumps(ids)
    assert "secret" not in shown and "xoxb" not in shown
    event = {
        "type": "event_callback",
        "team_id": "T0SIM0001",
        "event_id": "Ev1",
        "token": "t0ken",
        "event": {"type": "message", "user": "U0DANA", "channel": "C0SUPPORT", "text": "secret words"},
    }
    assert request_ids(event) == {
        "kind": "event_callback",
        "event": "message",
        "team": "T0SIM0001",
        "user": "U0DANA",
        "channel": "C0SUPPORT",
        "event_id": "Ev1",
    }
