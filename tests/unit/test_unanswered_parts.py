"""Who counts as external when Slack cannot say (read from Slack's own payload samples), and the owner's DM about an
unanswered message."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.blocks.unanswered import build_unanswered_alert
from bot.domain.people import Kind, kind_of_message_author
from bot.listeners.events.payloads import channel_message, in_shared_channel
from bot.views.unanswered import UnansweredView
from tests.conftest import SLACK_FIXTURES

TEAM = "T0HOME"
EVENTS = SLACK_FIXTURES / "payloads" / "events"


def sample(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return body


def person(message: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A sample message with a person's values in Slack's blanks (and no bot fields)."""
    filled = copy.deepcopy(message)
    for key in ("bot_id", "bot_profile", "subtype"):
        filled.pop(key, None)
    filled.update(user="U0ANY", ts="1764000000.000100", text="hello", thread_ts="")
    filled.update(fields)
    return filled


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({"team": TEAM}, Kind.STAFF),
        ({"team": "T0ACME"}, Kind.EXTERNAL),
        ({"team": TEAM, "user_team": "T0ACME", "source_team": "T0ACME"}, Kind.EXTERNAL),
        ({"team": TEAM, "user_team": "E0HOME", "source_team": "E0HOME"}, Kind.STAFF),  # our Grid organisation
        ({"team": "", "user_team": "", "source_team": ""}, Kind.STAFF),  # blanks: one of ours
        ({}, Kind.STAFF),  # the sample's own blank team
        ({"user": "USLACKBOT"}, Kind.BOT),
    ],
)
def test_the_fallback_guess_from_a_message_events_fields(fields: dict[str, Any], kind: Kind) -> None:
    """When users.info cannot say who the author is, the message's team fields decide, as before."""
    body = sample("MessagePayload.json")
    guessed = kind_of_message_author(person(body["event"], **fields), team_id=TEAM, enterprise_id="E0HOME", shared=True)
    assert guessed is kind


def test_edited_message_carries_user_team() -> None:
    edited = sample("MessageChangedPayload.json")["event"]["message"]
    assert "user_team" in edited and "source_team" in edited  # what Slack sends on shared-channel messages
    message = channel_message(TEAM, "C0ACME", person(edited, user_team="T0ACME", team="T0ACME"), "U0BOT")
    assert message is not None and not message.is_external  # who the author is comes from their profile
    guessed = kind_of_message_author(person(edited, user_team="T0ACME"), team_id=TEAM, enterprise_id=None, shared=True)
    assert guessed is Kind.EXTERNAL


def test_a_channel_not_shared_outside_the_org_has_no_externals() -> None:
    body = sample("MessagePayload.json")
    assert in_shared_channel(body) is False  # the sample says false
    assert in_shared_channel({"event": {}}) is True  # silent envelopes do not hide a customer
    message = person(body["event"], team="T0SIBLING")
    assert kind_of_message_author(message, team_id=TEAM, enterprise_id=None, shared=False) is Kind.STAFF


def test_bots_are_never_people_even_from_another_team() -> None:
    bot = sample("MessageBotPayload.json")["event"]
    bot.update(ts="1764000000.000100", text="deploy done", user_team="T0ACME")
    assert channel_message(TEAM, "C0ACME", bot, "U0BOT") is None
    app_posted = person(sample("MessagePayload.json")["event"], team="T0ACME", bot_id="B0ACME")
    assert channel_message(TEAM, "C0ACME", app_posted, "U0BOT") is None
    slackbot = person(sample("MessagePayload.json")["event"], user="USLACKBOT", team=TEAM)
    assert channel_message(TEAM, "C0ACME", slackbot, "U0BOT") is None  # Slackbot carries no bot_id


def test_thread_parent_is_top_level_and_a_reply_is_not() -> None:
    event = sample("MessagePayload.json")["event"]
    parent = channel_message(TEAM, "C0", person(event, thread_ts="1764000000.000100"), None)
    reply = channel_message(TEAM, "C0", person(event, thread_ts="1763999999.000100"), None)
    assert parent is not None and parent.is_top_level
    assert reply is not None and not reply.is_top_level


def view(**changes: Any) -> UnansweredView:
    values: dict[str, Any] = dict(
        customer_name="Acme <Corp> & Sons",
        owner_user_id="U0LEE",
        author_user_id="W0EXTBOB",
        channel_id="C0ACME",
        message_ts="1764000000.000100",
        posted_at=datetime(2026, 11, 24, 16, 0, tzinfo=UTC),
        excerpt="@here &lt;!channel&gt; <@U0LEE> the drive is down",  # stored as Slack text; "<!channel>" typed
        minutes=30,
        workspace_url="https://acme.slack.com/",
    )
    values.update(changes)
    return UnansweredView(**values)


def test_alert_names_customer_author_excerpt_and_link_all_escaped() -> None:
    body = build_unanswered_alert(view())
    shown = json.dumps(body)
    assert "Acme &lt;Corp&gt; &amp; Sons" in shown and "<Corp>" not in shown
    assert "<@W0EXTBOB>" in shown and "<#C0ACME>" in shown
    assert "> @here &lt;!channel&gt; <@U0LEE> the drive is down" in shown and "<!channel>" not in shown
    assert "https://acme.slack.com/archives/C0ACME/p1764000000000100" in shown
    assert "<!date^" in shown and "30 working minutes" in shown
    assert body["text"] == "Acme &lt;Corp&gt; &amp; Sons is waiting for an answer in a shared channel"


def test_alert_without_an_excerpt_and_long_excerpts_are_cut() -> None:
    assert "\n" not in build_unanswered_alert(view(excerpt=None))["blocks"][0]["text"]["text"]
    long = build_unanswered_alert(view(excerpt="word " * 200))
    quote = long["blocks"][0]["text"]["text"].split("\n> ")[1]
    assert len(quote) <= 200 and quote.endswith("…")
