"""Every payload Slack published, sent as a real signed request into the real app: no 5xx, no traceback.

Slack's samples are blanked (empty ids, an empty trigger id, an empty response_url). Each is sent as published,
then routed to each of Rapport's own commands, buttons, shortcuts and modals, and into Rapport's workspace, so the
listeners themselves run on the blank shapes.
"""

from __future__ import annotations

import copy
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.blocks import followups, nudges, privacy, relationships
from bot.blocks.customers import ADD_CUSTOMER_CALLBACK
from bot.blocks.errors import SLACK_ERROR_FALLBACK, SLACK_ERRORS
from bot.blocks.settings_modal import SETTINGS_MODAL_CALLBACK
from bot.blocks.stories import TAG_ACTION_PREFIX
from bot.blocks.story_modal import STORY_MODAL_CALLBACK, STORY_SHORTCUT_CALLBACK
from tests.e2e.conftest import RunningApp
from tests.listeners.conftest import SLACK_SAMPLES

TEAM = "T0SIM0001"
FORM = "application/x-www-form-urlencoded"
EVENTS = sorted((SLACK_SAMPLES / "payloads" / "events").glob("*.json"))
APP_BACKEND = sorted((SLACK_SAMPLES / "payloads" / "app-backend").rglob("*.json"))
SLASH_COMMAND = SLACK_SAMPLES / "payloads" / "app-backend" / "slash-commands" / "SlashCommandPayload.json"
COMMANDS = ("/customer", "/followup", "/kudos", "/rapport")
ACTIONS = (
    followups.DONE_ACTION,
    followups.SNOOZE_ACTION,
    followups.REASSIGN_ACTION,
    followups.CHECK_BACK_ACTION,
    followups.SHARE_STORY_ACTION,
    relationships.PLAN_CHECKIN_ACTION,
    relationships.SNOOZE_QUIET_ACTION,
    f"{TAG_ACTION_PREFIX}follow_up",
    nudges.NUDGE_THANKS_ACTION,
    nudges.NUDGE_OPTOUT_ACTION,
    nudges.NUDGES_TOGGLE_ACTION,
    privacy.FORGET_CONFIRM_ACTION,
    privacy.FORGET_CANCEL_ACTION,
)
SHORTCUTS = (followups.FOLLOWUP_SHORTCUT_CALLBACK, STORY_SHORTCUT_CALLBACK)
MODALS = (ADD_CUSTOMER_CALLBACK, followups.FOLLOWUP_MODAL_CALLBACK, STORY_MODAL_CALLBACK, SETTINGS_MODAL_CALLBACK)


def _load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    assert isinstance(data, dict)
    return data


def _interactive(payload: dict[str, Any]) -> bytes:
    """Interactive payloads arrive as a `payload` form field holding the JSON."""
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def _in_our_workspace(payload: dict[str, Any]) -> dict[str, Any]:
    filled = copy.deepcopy(payload)
    filled["team"] = {**(filled.get("team") or {}), "id": TEAM}
    return filled


def _routed(payload: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The sample sent to each of Rapport's listeners for its kind of payload."""
    kind = payload.get("type")
    if kind == "block_actions":
        for action_id in ACTIONS:
            click = copy.deepcopy(payload)
            click["actions"][0]["action_id"] = action_id
            yield action_id, click
    elif kind == "message_action":
        for callback_id in SHORTCUTS:
            yield callback_id, {**copy.deepcopy(payload), "callback_id": callback_id}
    elif kind == "view_submission":
        for callback_id in MODALS:
            submitted = copy.deepcopy(payload)
            submitted["view"]["callback_id"] = callback_id
            yield callback_id, submitted


def _replays(path: Path) -> Iterator[tuple[str, bytes, str]]:
    """(what, body, content type) for each way a sample is sent."""
    data = _load(path)
    if path == SLASH_COMMAND:  # Slack sends slash commands form-encoded
        for command in COMMANDS:
            for fields in (data, {**data, "team_id": TEAM}):
                body = urllib.parse.urlencode({k: str(v) for k, v in {**fields, "command": command}.items()})
                yield f"{command} {fields['team_id'] or 'blank'}", body.encode(), FORM
    elif "app-backend" in path.parts:
        yield "as published", _interactive(data), FORM
        for name, routed in _routed(data):
            yield name, _interactive(routed), FORM
            yield f"{name} in {TEAM}", _interactive(_in_our_workspace(routed)), FORM
    else:
        yield "as published", json.dumps(data).encode(), "application/json"
        filled = {**data, "type": "event_callback", "team_id": TEAM, "event_id": f"Ev0REPLAY{path.stem}"}
        yield f"in {TEAM}", json.dumps(filled).encode(), "application/json"


def test_the_vendored_samples_are_all_there() -> None:
    assert len(EVENTS) == 96 and len(APP_BACKEND) == 9 and SLASH_COMMAND in APP_BACKEND


@pytest.mark.usefixtures("no_errors_logged")
@pytest.mark.parametrize("path", EVENTS + APP_BACKEND, ids=lambda p: p.name)
def test_every_published_payload_is_answered_without_a_5xx_or_a_traceback(http_app: RunningApp, path: Path) -> None:
    for what, body, content_type in _replays(path):
        delivery = http_app.sim.send_raw(body, content_type=content_type)
        assert 0 < delivery.status < 500, (path.name, what, delivery)
        assert "Traceback" not in json.dumps(delivery.body), (path.name, what)


@pytest.mark.usefixtures("no_errors_logged")
def test_the_blank_slash_command_is_a_friendly_answer_for_each_command(http_app: RunningApp) -> None:
    """`/customer` and `/followup` with no text open a modal: with the sample's blank trigger id Slack refuses, and
    the person reads why; `/kudos` and `/rapport` with no text answer with their help."""
    sentences = (*SLACK_ERRORS.values(), SLACK_ERROR_FALLBACK)
    for command in COMMANDS:
        fields = {k: str(v) for k, v in {**_load(SLASH_COMMAND), "command": command}.items()}
        delivery = http_app.sim.send_raw(urllib.parse.urlencode(fields).encode(), content_type=FORM)
        assert delivery.status == 200 and isinstance(delivery.body, dict), (command, delivery)
        assert delivery.body["response_type"] == "ephemeral"
        if command in ("/customer", "/followup"):
            assert delivery.body["text"] in sentences, (command, delivery.body)
        else:
            assert delivery.body["text"] == ("How to use /kudos" if command == "/kudos" else "How to use Rapport")
    assert [c.error for c in http_app.sim.calls_to("views.open")] == ["invalid_arguments", "invalid_arguments"]
