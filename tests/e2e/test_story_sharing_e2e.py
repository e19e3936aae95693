"""Sharing a story through its modal: the "Share as a good story" message shortcut, and "Share as a story" on a
done follow-up's DM, through the running app, signed requests and the simulator."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.blocks.followups import build_done
from bot.db.models import Story, StoryCredit
from bot.db.queries import settings as settings_rows
from bot.services import followups, outbox
from bot.views.followups import FollowUpView
from tests.e2e.conftest import RunningApp, eventually

TEAM = "T0SIM0001"
MESSAGE = "<@U0STEPH> called Acme's call centre for them and stayed on the line until it was solved"


def _opened(app: RunningApp, count: int) -> dict[str, Any]:
    """The modal the app opened, as Slack holds it (with its view id)."""
    call = app.sim.wait_for_calls("views.open", count)[count - 1]
    assert call.response["ok"], call.response
    return dict(call.response["view"])


def _shortcut(
    app: RunningApp, *, user: str, channel: str, ts: str, text: str, author: str = "U0LEE", **extra: Any
) -> None:
    payload = {
        "type": "message_action",
        "callback_id": "story_from_message",
        "user": {"id": user},
        "channel": {"id": channel},
        "message_ts": ts,
        "message": {"type": "message", "user": author, "ts": ts, "text": text, **extra},
    }
    assert app.sim.send_interactive(payload).status == 200


def _submit(
    app: RunningApp,
    view: dict[str, Any],
    *,
    user: str,
    credited: list[str],
    thanks: str = "",
    principle: str | None = None,
) -> dict[str, Any]:
    option = {"text": {"type": "plain_text", "text": principle}, "value": principle} if principle else None
    values = {
        "story_credited": {"credited": {"type": "multi_users_select", "selected_users": credited}},
        "story_thanks": {"thanks": {"type": "plain_text_input", "value": thanks or None}},
        "story_principle": {"principle": {"type": "static_select", "selected_option": option}},
    }
    submitted = {**view, "team_id": TEAM, "state": {"values": values}}
    result = app.sim.send_interactive({"type": "view_submission", "user": {"id": user}, "view": submitted})
    assert result.status == 200
    return result.body if isinstance(result.body, dict) else {}


def _stories(app: RunningApp) -> list[Story]:
    with app.runtime.deps.session_factory.begin() as session:
        rows = list(session.scalars(select(Story).order_by(Story.id)))
        session.expunge_all()
        return rows


def _credits(app: RunningApp, story_id: int) -> list[str]:
    with app.runtime.deps.session_factory.begin() as session:
        return sorted(session.scalars(select(StoryCredit.user_id).where(StoryCredit.story_id == story_id)))


def _set_stories_channel(app: RunningApp, channel: str | None) -> None:
    deps = app.runtime.deps
    with deps.session_factory.begin() as session:
        settings_rows.of_workspace(session, team_id=TEAM, now=deps.clock()).stories_channel = channel


def _shoutouts(app: RunningApp, channel: str) -> list[dict[str, Any]]:
    return [m for m in app.sim.messages(channel) if m.get("bot_id") and "A good story" in json.dumps(m)]


def _story_dms(app: RunningApp, user: str) -> list[dict[str, Any]]:
    return [m for m in app.sim.dm_messages(user) if "good story about you" in json.dumps(m)]


@pytest.mark.usefixtures("no_errors_logged")
def test_share_as_a_good_story_prefills_validates_and_shares(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp aka Acme owner <@U0LEE|lee>")
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    ts, _ = sim.post_message("U0LEE", "C0SUPPORT", MESSAGE)

    _shortcut(app, user="U0LEE", channel="C0SUPPORT", ts=ts, text=MESSAGE)
    view = _opened(app, 1)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert view["callback_id"] == "story_modal" and len(view["title"]["text"]) <= 24
    assert blocks["story_credited"]["element"]["initial_users"] == ["U0STEPH"]  # the message is about Stephanie
    assert blocks["story_thanks"]["optional"] and blocks["story_principle"]["optional"]
    assert "stayed on the line" in json.dumps(view["blocks"][0]) and "*Acme Corp*" in json.dumps(view["blocks"][0])

    nobody = _submit(app, view, user="U0LEE", credited=[])
    assert nobody["response_action"] == "errors" and "story_credited" in nobody["errors"]
    only_me = _submit(app, view, user="U0LEE", credited=["U0LEE"], thanks="I did well")
    assert only_me["response_action"] == "errors" and "yourself" in only_me["errors"]["story_credited"]
    assert _stories(app) == []  # nothing recorded

    done = _submit(
        app,
        view,
        user="U0LEE",
        credited=["U0STEPH", "U0KIRI", "U0LEE"],
        thanks="Thank you <!here> for going the extra mile",
        principle="follow_up",
    )
    assert done["response_action"] == "update" and done["view"]["title"]["text"] == "Story shared"
    assert "&lt;" not in json.dumps(done["view"]) and "goes to the message's thread in <#C0SUPPORT>" in json.dumps(
        done["view"]
    )
    [story] = _stories(app)
    assert (story.via, story.source_channel_id, story.source_ts, story.source_user_id) == (
        "shortcut",
        "C0SUPPORT",
        ts,
        "U0LEE",
    )
    assert story.principle == "follow_up" and story.customer_id is not None and story.created_by == "U0LEE"
    assert story.text.startswith("Thank you &lt;!here&gt; for going the extra mile\n“<@U0STEPH> called Acme's")
    assert _credits(app, story.id) == ["U0KIRI", "U0LEE", "U0STEPH"]

    # No stories channel yet: the shout-out goes into the message's thread, tagged with the chosen principle.
    [shout] = eventually(lambda: _shoutouts(app, "C0SUPPORT"))
    shown = json.dumps(shout)
    assert shout["thread_ts"] == ts and "Recognised by <@U0LEE>" in shown and "Acme Corp" in shown
    assert "&lt;!here&gt;" in shown and "<!here>" not in shown
    assert "Followed up*" in shown  # the tag chosen in the modal, shown on it (and highlighted: it can change)
    tags = [e for b in shout["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in tags if e.get("style") == "primary"] == ["story_tag_follow_up"]
    # Each credited teammate is told once; the sharer, credited too, is not told of their own story.
    for user in ("U0STEPH", "U0KIRI"):
        [dm] = eventually(lambda u=user: _story_dms(app, u))  # type: ignore[misc]
        assert "<@U0LEE> shared a good story about you" in json.dumps(dm)
    assert _story_dms(app, "U0LEE") == []

    # The same modal submitted again (a double click, a retry) records nothing more.
    again = _submit(app, view, user="U0LEE", credited=["U0STEPH"])
    assert again["response_action"] == "update" and "already shared" in json.dumps(again["view"])
    assert len(_stories(app)) == 1
    outbox.send_outbox(app.runtime.deps, client=app.runtime.client, now=app.runtime.deps.clock(), worker="e2e")
    assert len(_shoutouts(app, "C0SUPPORT")) == 1 and len(_story_dms(app, "U0STEPH")) == 1


@pytest.mark.usefixtures("no_errors_logged")
def test_shared_story_goes_to_the_stories_channel_and_credits_the_author_of_a_message_naming_nobody(
    http_app: RunningApp,
) -> None:
    app, sim = http_app, http_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    assert sim.add_bot_to_channel("C0RANDOM", inviter="U0DANA").status == 200
    _set_stories_channel(app, "C0RANDOM")
    parent, _ = sim.post_message("U0DANA", "C0SUPPORT", "Globex can't log in")
    reply, _ = sim.post_message("U0STEPH", "C0SUPPORT", "Of course, let me call them for you", thread_ts=parent)

    _shortcut(
        app,
        user="U0DANA",
        channel="C0SUPPORT",
        ts=reply,
        text="Of course, let me call them for you",
        author="U0STEPH",
        thread_ts=parent,
    )
    view = _opened(app, 1)
    assert {b.get("block_id"): b for b in view["blocks"]}["story_credited"]["element"]["initial_users"] == ["U0STEPH"]
    done = _submit(app, view, user="U0DANA", credited=["U0STEPH"])
    assert done["response_action"] == "update" and "goes to <#C0RANDOM>" in json.dumps(done["view"])
    [story] = _stories(app)
    assert (story.source_ts, story.source_thread_ts, story.text) == (
        reply,
        parent,
        "Of course, let me call them for you",
    )

    [shout] = eventually(lambda: _shoutouts(app, "C0RANDOM"))
    assert "thread_ts" not in shout and f"p{reply.replace('.', '')}?thread_ts={parent}" in json.dumps(shout)
    assert "story_tag_" in json.dumps(shout)  # no principle chosen: the tag buttons are offered
    [dm] = eventually(lambda: _story_dms(app, "U0STEPH"))
    assert "<@U0DANA> shared a good story about you" in json.dumps(dm)


@pytest.mark.usefixtures("no_errors_logged")
def test_sharing_explains_when_the_shout_out_has_nowhere_to_go_and_refuses_bot_messages(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    ts = sim.seed_message("U0STEPH", "C0RANDOM", "Let me take care of that for you")  # Rapport is not in #random
    _shortcut(app, user="U0DANA", channel="C0RANDOM", ts=ts, text="Let me take care of that for you", author="U0STEPH")
    explained = json.dumps(_opened(app, 1))
    assert "nowhere to post the shout-out" in explained and "/invite @Rapport" in explained
    assert "story_credited" not in explained

    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    _shortcut(
        app, user="U0DANA", channel="C0SUPPORT", ts=ts, text="A good story: x", author="U0RAPPORT", bot_id="B0RAPPORT"
    )
    assert "from a bot" in json.dumps(_opened(app, 2))
    assert _stories(app) == []


@pytest.mark.usefixtures("no_errors_logged")
def test_the_modal_keeps_within_block_kit_limits_for_a_3000_character_message(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    # The worst case for private_metadata: characters JSON escapes, and characters UTF-8 spells in four bytes.
    text = ("<@U0STEPH> " + '"\\\n🌟é' * 1000)[:3000]
    ts, _ = sim.post_message("U0LEE", "C0SUPPORT", text)
    _shortcut(app, user="U0LEE", channel="C0SUPPORT", ts=ts, text=text)
    view = _opened(app, 1)  # the simulator rejects a view over Slack's limits
    assert len(view["private_metadata"].encode()) <= 3000 and len(view["title"]["text"]) <= 24
    assert all(len(json.dumps(b["text"]["text"])) <= 3000 for b in view["blocks"] if b["type"] == "section")
    assert len(view["blocks"]) <= 100

    assert _submit(app, view, user="U0LEE", credited=["U0STEPH"], thanks="x" * 300)["response_action"] == "update"
    [story] = _stories(app)
    assert len(story.text) <= 3000 and story.text.startswith("x" * 300 + "\n“<@U0STEPH> ")
    [shout] = eventually(lambda: _shoutouts(app, "C0SUPPORT"))
    assert all(len(b["text"]["text"]) <= 3000 for b in shout["blocks"] if b["type"] == "section")


def _click(app: RunningApp, user: str, channel: str, message: dict[str, Any], action_id: str) -> None:
    block, element = next(
        (b, e) for b in message["blocks"] for e in b.get("elements", []) if e.get("action_id") == action_id
    )
    payload = {
        "type": "block_actions",
        "user": user,
        "channel": {"id": channel},
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
        "message": message,
        "actions": [{**element, "block_id": block["block_id"]}],
    }
    assert app.sim.send_interactive(payload).status == 200


def _done_reminder(app: RunningApp) -> tuple[str, dict[str, Any], FollowUpView]:
    """Lee's follow-up about Acme, reminded and marked done from the DM: the DM's channel and the updated DM."""
    sim, deps = app.sim, app.runtime.deps
    app.command("add Acme Corp owner <@U0LEE|lee>")
    app.command("Acme Corp tomorrow call back to make sure the new drive works", user="U0LEE", command="/followup")
    [promise] = followups.list_open(deps, team_id=TEAM, user_id="U0LEE")
    followups.queue_reminders(deps, now=promise.due_at)
    outbox.send_outbox(deps, client=app.runtime.client, now=promise.due_at, worker="e2e")
    [reminder] = eventually(lambda: [m for m in sim.dm_messages("U0LEE") if "Time to follow up" in json.dumps(m)])
    channel = [c for c in sim.calls_to("chat.postMessage") if c.args["channel"] == "U0LEE"][-1].response["channel"]
    _click(app, "U0LEE", channel, reminder, "followup_done")
    done = eventually(
        lambda: next(
            (m for m in sim.dm_messages("U0LEE") if m["ts"] == reminder["ts"] and "Share as a story" in json.dumps(m)),
            None,
        )
    )
    return channel, done, promise


@pytest.mark.usefixtures("no_errors_logged")
def test_share_as_a_story_after_done_opens_the_modal_and_shares_the_follow_up(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    channel, done, promise = _done_reminder(app)
    assert ":white_check_mark: Done (by <@U0LEE>)" in json.dumps(done)
    labels = [e["text"]["text"] for b in done["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert labels == ["Check back in 3 days", "Share as a story"]

    # Typed with /followup: no source message, and no stories channel yet, so nowhere for a shout-out.
    _click(app, "U0LEE", channel, done, "followup_share_story")
    told = eventually(lambda: [r for r in sim.responses() if "nowhere to post" in json.dumps(r)])
    assert told and not sim.calls_to("views.open")

    assert sim.add_bot_to_channel("C0RANDOM", inviter="U0DANA").status == 200
    _set_stories_channel(app, "C0RANDOM")
    _click(app, "U0LEE", channel, done, "followup_share_story")
    view = _opened(app, 1)  # opened with the click's own trigger id
    first = json.dumps(view["blocks"][0])
    assert "Your follow-up with *Acme Corp* is done" in first and "make sure the new drive works" in first
    assert {b.get("block_id"): b for b in view["blocks"]}["story_credited"]["element"]["initial_users"] == ["U0LEE"]

    # Lee shares his own follow-up's good ending, crediting Stephanie, who helped, too.
    result = _submit(
        app,
        view,
        user="U0LEE",
        credited=["U0LEE", "U0STEPH"],
        thanks="Drive works, Acme is happy",
        principle="follow_up",
    )
    assert result["response_action"] == "update" and "goes to <#C0RANDOM>" in json.dumps(result["view"])
    [story] = _stories(app)
    assert (story.via, story.principle, story.source_channel_id) == ("followup", "follow_up", None)
    assert story.text == "Drive works, Acme is happy\n“call back to make sure the new drive works”"
    assert _credits(app, story.id) == ["U0LEE", "U0STEPH"]
    [shout] = eventually(lambda: _shoutouts(app, "C0RANDOM"))
    assert "*Acme Corp*" in json.dumps(shout) and "Recognised by <@U0LEE>" in json.dumps(shout)
    eventually(lambda: _story_dms(app, "U0STEPH"))
    assert _story_dms(app, "U0LEE") == []


@pytest.mark.usefixtures("no_errors_logged")
def test_a_follow_up_from_a_message_shares_into_that_messages_thread_and_may_credit_only_its_owner(
    http_app: RunningApp,
) -> None:
    app, sim = http_app, http_app.sim
    deps = app.runtime.deps
    app.command("add Acme Corp owner <@U0LEE|lee>")
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    ts, _ = sim.post_message("U0DANA", "C0SUPPORT", "Acme lost their drive again")
    event = {
        "type": "reaction_added",
        "user": "U0LEE",
        "reaction": "alarm_clock",
        "item_user": "U0DANA",
        "item": {"type": "message", "channel": "C0SUPPORT", "ts": ts},
        "event_ts": ts,
    }
    assert sim.send_event(event).status == 200
    [followup] = followups.list_open(deps, team_id=TEAM, user_id="U0LEE")
    followups.mark_done(deps, app.runtime.client, team_id=TEAM, followup_id=followup.id, user_id="U0LEE")
    message = {"ts": "1.000001", **build_done(followup, closed_by="U0LEE", changed=True, state="done")}
    _click(app, "U0LEE", "D0LEE", message, "followup_share_story")
    view = _opened(app, 1)
    result = _submit(app, view, user="U0LEE", credited=["U0LEE"])
    assert result["response_action"] == "update"
    [story] = _stories(app)
    assert (story.via, story.source_channel_id, story.source_ts) == ("followup", "C0SUPPORT", ts)
    [shout] = eventually(lambda: _shoutouts(app, "C0SUPPORT"))
    assert shout["thread_ts"] == ts and "Recognised by <@U0LEE>" in json.dumps(shout)
