"""Who a person is to the installed workspace, read from users.info profiles shaped like Slack's own sample."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from bot.domain.people import Kind, is_external_profile, kind_of_profile
from bot.listeners.events.payloads import enterprise_of, team_of, tombstone_ts
from tests.conftest import SLACK_FIXTURES

HOME, GRID = "T0HOME", "E0GRID"
SAMPLE = json.loads((SLACK_FIXTURES / "api-responses" / "users.info.json").read_text())["user"]
EVENTS = SLACK_FIXTURES / "payloads" / "events"


def profile(**fields: Any) -> dict[str, Any]:
    """Slack's users.info sample with Slack's blanks replaced by a plain member of HOME, then `fields`."""
    user: dict[str, Any] = copy.deepcopy(SAMPLE)
    user.update(id="U0ANY", team_id=HOME, is_bot=False, is_stranger=False, is_restricted=False)
    user.update(is_ultra_restricted=False, enterprise_id="", enterprise_user={})
    user.update(fields)
    return user


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({}, Kind.STAFF),
        ({"is_restricted": True}, Kind.STAFF),  # a guest of the workspace works with the team
        ({"is_ultra_restricted": True, "is_restricted": True}, Kind.STAFF),
        ({"team_id": "T0ACME"}, Kind.EXTERNAL),
        ({"is_stranger": True}, Kind.EXTERNAL),
        ({"team_id": "T0SIBLING", "enterprise_user": {"enterprise_id": GRID, "teams": ["T0SIBLING"]}}, Kind.STAFF),
        ({"team_id": "T0SIBLING", "enterprise_user": {"enterprise_id": "E0OTHER", "teams": [HOME]}}, Kind.STAFF),
        ({"team_id": "T0ACME", "enterprise_user": {"enterprise_id": "E0ACME", "teams": ["T0ACME"]}}, Kind.EXTERNAL),
        ({"is_bot": True}, Kind.BOT),
        ({"id": "USLACKBOT"}, Kind.BOT),  # Slack does not mark Slackbot is_bot
    ],
)
def test_kind_of_a_profile(fields: dict[str, Any], kind: Kind) -> None:
    assert kind_of_profile(profile(**fields), team_id=HOME, enterprise_id=GRID) is kind


def test_the_enterprise_sample_of_another_organisation_is_external_without_our_grid() -> None:
    grid_person = profile(team_id="T0SIBLING", enterprise_user={"enterprise_id": GRID, "teams": ["T0SIBLING"]})
    assert is_external_profile(grid_person, team_id=HOME, enterprise_id=None)
    assert not is_external_profile(grid_person, team_id=HOME, enterprise_id=GRID)


def envelope(name: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((EVENTS / name).read_text())
    body.update(fields)
    return body


@pytest.mark.parametrize("name", sorted(p.name for p in EVENTS.glob("*.json")))
def test_the_workspace_of_every_event_is_the_installed_one(name: str) -> None:
    """Every sample, with a customer organisation's id as the envelope's team_id (a channel they created)."""
    body = envelope(name, team_id="T0ACME", context_team_id="T0ACME")
    body["authorizations"] = [{"enterprise_id": GRID, "team_id": HOME, "user_id": "U0BOT", "is_bot": True}]
    event = body["event"] if isinstance(body.get("event"), dict) else {}
    assert team_of(body, event) == HOME
    assert enterprise_of(body) == GRID


def test_an_envelope_without_authorizations_falls_back_to_its_team() -> None:
    assert team_of({"team_id": HOME}, {}) == HOME
    assert team_of({}, {"team": HOME}) == HOME
    assert team_of({"authorizations": []}, {}) is None


def test_a_tombstone_names_the_deleted_parent() -> None:
    changed = envelope("MessageChangedPayload.json")["event"]
    changed["message"].update(subtype="tombstone", ts="1764000000.000100", text="This message was deleted.")
    assert tombstone_ts(changed) == "1764000000.000100"
    changed["message"]["subtype"] = ""
    assert tombstone_ts(changed) is None
    assert tombstone_ts(envelope("MessageDeletedPayload.json")["event"]) is None
