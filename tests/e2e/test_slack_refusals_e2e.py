"""Slack refuses something a person's good story or click needed: the shout-out finds another home, a failed read is
delivered again, and the person reads a sentence, never Slack's generic failure."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import FollowUp
from bot.db.queries import settings as settings_rows
from bot.services import outbox
from bot.services.digest import queue_weekly_digest
from tests.e2e.conftest import RunningApp, eventually
from tests.e2e.test_digest_e2e import _a_friday_at_15
from tests.e2e.test_stories_e2e import (
    TEAM,
    _reaction,
    react,
    set_stories_channel,
    settled,
    shoutout_reading,
    shoutouts,
    story_count,
)
from tests.integration.stories_seed import add_story

ADMIN = "U0OWNER"  # chose the stories channel in /rapport settings


def _choose_stories_channel(app: RunningApp, channel: str) -> None:
    """The stories channel as an admin saved it in the settings modal (which records who changed what)."""
    set_stories_channel(app, channel)
    deps = app.runtime.deps
    with deps.session_factory.begin() as session:
        settings_rows.add_changes(
            session,
            team_id=TEAM,
            rows=[
                dict(
                    team_id=TEAM,
                    user_id=ADMIN,
                    changed_at=deps.clock(),
                    setting="stories_channel",
                    old_value="",
                    new_value=channel,
                )
            ],
        )


def _admin_notes(app: RunningApp) -> list[str]:
    return [json.dumps(m) for m in app.sim.dm_messages(ADMIN) if "stories channel" in json.dumps(m)]


@pytest.mark.parametrize("refusal", ["archived", "bot removed"])
def test_a_stories_channel_that_refuses_sends_shoutouts_to_their_source_and_tells_the_admin_once(
    http_app: RunningApp, refusal: str
) -> None:
    app, sim = http_app, http_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    assert sim.add_bot_to_channel("C0RANDOM", inviter=ADMIN).status == 200
    _choose_stories_channel(app, "C0RANDOM")
    if refusal == "archived":
        sim.archive_channel("C0RANDOM")
    else:
        sim.set_bot_member("C0RANDOM", False)  # removed without Rapport hearing of it
    parent, _ = sim.post_message("U0LEE", "C0SUPPORT", "Acme's drive is dead again")
    reply, _ = sim.post_message("U0STEPH", "C0SUPPORT", "I'll drive over with a spare", thread_ts=parent)

    react(app, user="U0DANA", ts=reply)
    shout = shoutout_reading(sim, "drive over with a spare", channel="C0SUPPORT")
    assert shout.get("thread_ts") == parent  # in the thread the story came from
    kudos = app.command("<@U0KIRI|kiri> called the customer back", command="/kudos", channel="C0SUPPORT")
    assert kudos["response_type"] == "ephemeral"
    eventually(lambda: len(shoutouts(sim, "C0SUPPORT")) == 2)
    settled(app)

    [top_level] = [s for s in shoutouts(sim, "C0SUPPORT") if "thread_ts" not in s]  # /kudos: where it was typed
    assert "called the customer back" in json.dumps(top_level)
    assert shoutouts(sim, "C0RANDOM") == []
    [note] = _admin_notes(app)  # told once, for both shout-outs
    assert "<#C0RANDOM>" in note and "/rapport settings" in note
    [dm] = sim.dm_messages("U0STEPH")  # the credited person's link leads to where the shout-out is
    assert f"archives/C0SUPPORT/p{shout['ts'].replace('.', '')}" in json.dumps(dm)


@pytest.mark.parametrize("status", [429, 500])
def test_a_failed_read_of_the_reacted_message_is_delivered_again_and_the_story_posted_once(
    running_app: RunningApp, status: int
) -> None:
    app, sim = running_app, running_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    ts, _ = sim.post_message("U0STEPH", "C0SUPPORT", "Stayed on the phone with Acme until it worked")
    sim.fail_next("conversations.history", status=status, retry_after=1 if status == 429 else None)
    event = _reaction("reaction_added", user="U0DANA", ts=ts)

    ack_timeout = sim.ack_timeout
    sim.ack_timeout = 1.0  # Socket Mode: a refusal is no acknowledgement at all
    refused = sim.send_event(event, event_id="Ev0READ01")
    sim.ack_timeout = ack_timeout
    assert refused.status in (0, 503)  # Slack will deliver it again
    assert story_count(app) == 0

    again = sim.send_event(event, event_id="Ev0READ01", retry_num=1, retry_reason="http_error")
    assert again.status == 200
    shoutout_reading(sim, "Stayed on the phone")
    assert sim.send_event(event, event_id="Ev0READ01", retry_num=2).status == 200  # a late third delivery
    settled(app)
    assert story_count(app) == 1 and len(shoutouts(sim)) == 1
    assert len(sim.dm_messages("U0STEPH")) == 1


def test_a_modal_whose_trigger_expired_is_answered_with_a_sentence(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    sim.trigger_lifetime = 0  # the app took longer than Slack allows
    reply = app.command("", command="/followup")
    assert reply["response_type"] == "ephemeral"
    assert "Please try again" in reply["text"] and "took longer than Slack allows" in reply["text"]
    assert sim.views() == []
    [call] = sim.calls_to("views.open")
    assert call.error == "expired_trigger_id"


def _followups(app: RunningApp) -> list[FollowUp]:
    with app.runtime.deps.session_factory.begin() as session:
        return list(session.scalars(select(FollowUp)))


@pytest.mark.parametrize("status", [429, 503])
def test_a_failed_profile_read_is_delivered_again_and_the_followup_made_once(http_app: RunningApp, status: int) -> None:
    app, sim = http_app, http_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    ts, _ = sim.post_message("U0LEE", "C0SUPPORT", "Can someone call Acme back about the invoice?")
    event = _reaction("reaction_added", user="U0STEPH", ts=ts, reaction="alarm_clock")
    sim.fail_next("users.info", status=status, retry_after=1 if status == 429 else None)

    assert sim.send_event(event, event_id="Ev0TZ01").status == 503  # not a guess at UTC: Slack will resend it
    assert _followups(app) == []
    assert sim.send_event(event, event_id="Ev0TZ01", retry_num=1, retry_reason="http_error").status == 200
    assert sim.send_event(event, event_id="Ev0TZ01", retry_num=2, retry_reason="http_error").status == 200
    [followup] = _followups(app)
    assert followup.owner_user_id == "U0STEPH"


def test_a_command_whose_profile_read_failed_gets_a_sentence(http_app: RunningApp) -> None:
    http_app.sim.fail_next("users.info", status=429, retry_after=30)
    reply = http_app.command("@lee call Acme back tomorrow", command="/followup")
    assert reply["response_type"] == "ephemeral" and "slow down" in reply["text"]
    assert _followups(http_app) == []


def test_an_archived_stories_channel_tells_the_admin_why_the_digest_did_not_go(http_app: RunningApp) -> None:
    app, sim, deps = http_app, http_app.sim, http_app.runtime.deps
    assert sim.add_bot_to_channel("C0RANDOM", inviter=ADMIN).status == 200
    _choose_stories_channel(app, "C0RANDOM")
    friday = _a_friday_at_15(deps.clock() + timedelta(days=14))  # beyond the app's own clock
    with deps.session_factory.begin() as session:
        add_story(session, TEAM, text="Kiri called back two days later", at=friday - timedelta(days=1))
    sim.archive_channel("C0RANDOM")
    assert queue_weekly_digest(deps, now=friday) == 1
    report = outbox.send_outbox(deps, client=app.runtime.client, now=friday, worker="e2e")
    assert report.failed >= 1 and report.sent == 0  # a digest has no other home (nor, here, the intro note)
    outbox.send_outbox(deps, client=app.runtime.client, now=friday + timedelta(seconds=5), worker="e2e")
    [note] = _admin_notes(app)
    assert "<#C0RANDOM>" in note and "was archived" in note
