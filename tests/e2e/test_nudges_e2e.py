"""Tone nudges end to end: a teammate's brush-off gets a private chat.postEphemeral, to its author alone.

Each message goes through the real app (signed HTTP or Socket Mode) and the nudge through the outbox to the
simulator. A rule's nudge is queued in the same transaction that stores its event; the word model's, for a
message the rules found nothing in, after that on the after-acknowledgement thread. So absence is checked in the
nudges table once that thread has nothing left to do (`_nudges` waits for that), not by waiting a while.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.db.models import Mention, Nudge, NudgeCooldown, OutboxMessage, UserSettings
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.runtime import caches as matching
from bot.slacksim import SlackSimulator
from tests.e2e.conftest import RunningApp, eventually

TEAM = "T0SIM0001"
BRUSH_OFF = "Sorry, you'll have to call customer service to get that information."
THREAT = "This is your final warning about the unpaid invoice."
BLAME = "Per my last message, the export runs at night."


@pytest.fixture(autouse=True)
def _bot_in_channels(sim: SlackSimulator) -> None:
    """Slack sends a channel's messages only while the bot is in it; Rapport's ephemerals need that too."""
    for channel in ("C0SUPPORT", "C0RANDOM", "C0ACME"):
        sim.set_bot_member(channel)


def _post(app: RunningApp, user: str, text: str, *, channel: str = "C0SUPPORT", thread_ts: str | None = None) -> str:
    ts, delivery = app.sim.post_message(user, channel, text, thread_ts=thread_ts)
    assert delivery.status == 200, delivery
    return ts


def _settled(app: RunningApp) -> None:
    """Wait until the work queued after acknowledgements (the word model's checks) is done."""
    eventually(lambda: app.runtime.deps.after_ack.pending == 0)


def _nudges(app: RunningApp, user: str | None = None) -> list[Nudge]:
    _settled(app)
    with app.runtime.deps.session_factory.begin() as session:
        query = select(Nudge).order_by(Nudge.id)
        if user is not None:
            query = query.where(Nudge.user_id == user)
        return list(session.scalars(query))


def _ephemerals(app: RunningApp, user: str, count: int) -> list[dict[str, Any]]:
    return eventually(lambda: (found := app.sim.ephemerals(user=user)) and len(found) >= count and found)


def _settings(app: RunningApp, **values: Any) -> None:
    deps = app.runtime.deps
    with deps.session_factory.begin() as session:
        row = settings_rows.of_workspace(session, team_id=TEAM, now=deps.clock())
        for name, value in values.items():
            setattr(row, name, value)
        workspace_rows.bump_settings_version(session, team_id=TEAM)


def _click(app: RunningApp, user: str, action_id: str, value: str, *, channel: str = "C0SUPPORT") -> Any:
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": channel},
        "container": {
            "type": "message",
            "message_ts": "1700000000.000100",
            "channel_id": channel,
            "is_ephemeral": True,
        },
        "actions": [{"action_id": action_id, "block_id": "nudge_actions", "value": value, "type": "button"}],
    }
    delivery = app.sim.send_interactive(payload)
    assert delivery.status == 200, delivery
    return delivery


@pytest.mark.usefixtures("no_errors_logged")
def test_a_brush_off_gets_a_private_nudge_for_its_author_only(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    ts = _post(app, "U0LEE", BRUSH_OFF)
    [nudge] = _ephemerals(app, "U0LEE", 1)
    assert nudge["channel"] == "C0SUPPORT" and "thread_ts" not in nudge
    shown = json.dumps(nudge)
    assert "you'll have to call customer service" in nudge["text"]
    assert "brush-off" in nudge["text"]
    buttons = [e for b in nudge["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Thanks", "Don't show me these"]
    assert all(b["value"] == f"C0SUPPORT:{ts}" for b in buttons)
    assert "Only you can see this" in shown
    # To Lee alone: one chat.postEphemeral, addressed to Lee; nothing posted where others could see it.
    calls = sim.calls_to("chat.postEphemeral")
    assert [c.args["user"] for c in calls] == ["U0LEE"]
    assert sim.ephemerals(user="U0DANA") == [] and sim.ephemerals(user="U0STEPH") == []
    assert not any("customer service" in json.dumps(m) for m in sim.messages("C0SUPPORT") if m.get("bot_id"))
    # What is kept: who, which rule, where; never the words.
    [row] = _nudges(app)
    assert (row.user_id, row.category, row.channel_id, row.message_ts) == ("U0LEE", "brush_off", "C0SUPPORT", ts)
    with app.runtime.deps.session_factory.begin() as session:
        assert all("customer service" not in str(v) for v in vars(session.get(Nudge, row.id)).values())


@pytest.mark.usefixtures("no_errors_logged")
def test_tips_follow_how_people_type_and_not_what_they_quote_or_joke_about(http_app: RunningApp) -> None:
    app = http_app
    # Slack italics, a chat spelling and a phone's curly apostrophe: still a brush-off.
    _post(app, "U0LEE", "_u’ll have to call customer service_")
    [tip] = _ephemerals(app, "U0LEE", 1)
    assert "u’ll have to call customer service" in tip["text"] and "brush-off" in tip["text"]

    # Quoting a customer without Slack's ">", and banter (Slack sends a typed 😂 as :joy:): no tip.
    _post(app, "U0STEPH", "Customer wrote: per my last email, we still can't log in.")
    _post(app, "U0STEPH", "the coffee machine is broken again, not my department :joy:")
    _post(app, "U0STEPH", "The last warning in the logs was at 09:14.")
    _post(app, "U0STEPH", "Not my department, but we've moved your install to Thursday.")
    assert _nudges(app, "U0STEPH") == []

    # A conditional threat gets a threat tip with its relational alternative.
    _post(app, "U0KIRI", "If you don't pay by Friday we will cut off access.")
    [threat] = _ephemerals(app, "U0KIRI", 1)
    assert "If you don't pay by Friday we will cut off access" in threat["text"]
    assert "threat" in threat["text"] and "work out a plan together" in threat["text"]
    assert [(n.user_id, n.category, n.rule_id) for n in _nudges(app)] == [
        ("U0LEE", "brush_off", "brush-off.call-elsewhere"),
        ("U0KIRI", "threat", "threat.cancel"),
    ]
    assert app.sim.ephemerals(user="U0STEPH") == []


@pytest.mark.usefixtures("no_errors_logged")
def test_a_reply_in_a_thread_is_nudged_in_that_thread(http_app: RunningApp) -> None:
    app = http_app
    parent = _post(app, "U0DANA", "Acme asked about the export")
    _post(app, "U0LEE", BLAME, thread_ts=parent)
    [nudge] = _ephemerals(app, "U0LEE", 1)
    assert nudge["thread_ts"] == parent and "Per my last message" in nudge["text"]


@pytest.mark.usefixtures("no_errors_logged")
def test_one_nudge_per_person_per_category_per_day(http_app: RunningApp) -> None:
    app = http_app
    _post(app, "U0LEE", BRUSH_OFF)
    _post(app, "U0LEE", "Not my department, sorry.")  # brush-off again: cooling down
    assert [n.category for n in _nudges(app, "U0LEE")] == ["brush_off"]
    _post(app, "U0LEE", THREAT)  # another category: its own tip
    _post(app, "U0STEPH", BRUSH_OFF)  # another person: their own tip
    assert [n.category for n in _nudges(app, "U0LEE")] == ["brush_off", "threat"]
    assert [n.category for n in _nudges(app, "U0STEPH")] == ["brush_off"]
    _ephemerals(app, "U0LEE", 2)
    # 24 hours later (the cool-down's start moved back a day), a brush-off is nudged again.
    with app.runtime.deps.session_factory.begin() as session:
        session.execute(update(NudgeCooldown).values(last_nudged_at=app.runtime.deps.clock() - timedelta(hours=24)))
    _post(app, "U0LEE", "There's nothing I can do.")
    assert [n.category for n in _nudges(app, "U0LEE")] == ["brush_off", "threat", "brush_off"]
    _ephemerals(app, "U0LEE", 3)


@pytest.mark.usefixtures("no_errors_logged")
def test_no_nudges_for_customers_bots_excluded_channels_or_a_workspace_that_turned_them_off(
    http_app: RunningApp,
) -> None:
    app, sim = http_app, http_app.sim
    _post(app, "W0EXTBOB", "You'll have to call customer service, said your colleague", channel="C0ACME")
    ts, delivery = sim.post_message(None, "C0SUPPORT", BRUSH_OFF, bot_id="B0OTHER")
    assert delivery.status == 200
    assert _nudges(app) == []

    _settings(app, nudge_excluded_channels="C0RANDOM")
    _post(app, "U0LEE", BRUSH_OFF, channel="C0RANDOM")
    assert _nudges(app) == []
    _post(app, "U0LEE", BRUSH_OFF, channel="C0SUPPORT")  # other channels still get tips
    assert len(_nudges(app)) == 1

    _settings(app, nudges_enabled=False)
    _post(app, "U0STEPH", BRUSH_OFF)
    assert len(_nudges(app)) == 1
    _settings(app, nudges_enabled=True)
    _post(app, "U0STEPH", BRUSH_OFF)
    assert [n.user_id for n in _nudges(app)] == ["U0LEE", "U0STEPH"]
    _ephemerals(app, "U0STEPH", 1)
    assert sim.ephemerals(user="W0EXTBOB") == []


@pytest.mark.usefixtures("no_errors_logged")
def test_nudges_off_and_on_per_person(http_app: RunningApp) -> None:
    app = http_app
    off = app.command("nudges off", command="/rapport", user="U0LEE")
    assert off["response_type"] == "ephemeral" and "off" in json.dumps(off)
    _post(app, "U0LEE", BRUSH_OFF)
    assert _nudges(app) == []
    _post(app, "U0STEPH", BRUSH_OFF)  # only Lee turned them off
    assert [n.user_id for n in _nudges(app)] == ["U0STEPH"]

    on = app.command("nudges on", command="/rapport", user="U0LEE")
    assert "on" in json.dumps(on)
    _post(app, "U0LEE", BRUSH_OFF)
    assert [n.user_id for n in _nudges(app)] == ["U0STEPH", "U0LEE"]
    bad = app.command("nudges sometimes", command="/rapport", user="U0LEE")
    assert "/rapport nudges off" in json.dumps(bad) and "sometimes" in json.dumps(bad)


@pytest.mark.usefixtures("no_errors_logged")
def test_dont_show_me_these_turns_the_authors_tips_off_and_thanks_is_noted(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    _post(app, "U0LEE", BRUSH_OFF)
    [nudge] = _ephemerals(app, "U0LEE", 1)
    value = next(e["value"] for b in nudge["blocks"] if b["type"] == "actions" for e in b["elements"])

    _click(app, "U0LEE", "nudge_thanks", value)
    assert [n.response for n in _nudges(app, "U0LEE")] == ["thanks"]
    replaced = eventually(lambda: [r for r in sim.responses() if r["body"].get("replace_original")])
    assert "Thanks for reading" in json.dumps(replaced[-1]["body"])

    _click(app, "U0LEE", "nudge_optout", value)
    with app.runtime.deps.session_factory.begin() as session:
        setting = session.get(UserSettings, (TEAM, "U0LEE"))
        assert setting is not None and setting.nudges_enabled is False
    assert [n.response for n in _nudges(app, "U0LEE")] == ["optout"]
    eventually(lambda: any("nudges on" in json.dumps(r["body"]) for r in sim.responses()))
    with app.runtime.deps.session_factory.begin() as session:  # cool-down over: only the opt-out stops it now
        session.execute(update(NudgeCooldown).values(last_nudged_at=app.runtime.deps.clock() - timedelta(days=2)))
    _post(app, "U0LEE", "Not my job.")
    _post(app, "U0LEE", THREAT)
    assert len(_nudges(app, "U0LEE")) == 1
    # The Home tab shows the switch, off, with a button to turn tips back on.
    home = eventually(lambda: (view := sim.home_view("U0LEE")) and "Turn my tips on" in json.dumps(view) and view)
    assert "Your tone tips" in json.dumps(home)
    with app.runtime.deps.session_factory.begin() as session:
        nudge_rows = session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "nudge"))
    assert nudge_rows == 1


@pytest.mark.usefixtures("no_errors_logged")
def test_forget_me_asks_first_then_forgets_only_the_caller(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    app.command("add Acme Corp owner <@U0LEE|lee>")
    _post(app, "U0LEE", "Acme Corp: " + BRUSH_OFF)
    _post(app, "U0STEPH", "Acme Corp: " + BRUSH_OFF)
    question = app.command("forget-me", command="/rapport", user="U0LEE")
    assert question["response_type"] == "ephemeral"
    buttons = [e for b in question["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == ["forget_me_confirm", "forget_me_cancel"]
    assert "confirm" in buttons[0]  # Slack asks "are you sure?" before the click counts
    assert len(_nudges(app)) == 2  # asking deletes nothing

    _click(app, "U0LEE", "forget_me_cancel", "cancel")
    assert len(_nudges(app)) == 2
    _click(app, "U0LEE", "forget_me_confirm", "forget")
    assert [n.user_id for n in _nudges(app)] == ["U0STEPH"]
    with app.runtime.deps.session_factory.begin() as session:
        excerpts = dict(session.execute(select(Mention.user_id, Mention.excerpt)).all())
    assert excerpts["U0LEE"] is None and "Acme" in (excerpts["U0STEPH"] or "")
    done = eventually(lambda: [r for r in sim.responses() if "Rapport forgot you" in json.dumps(r["body"])])
    assert "1 excerpt" in json.dumps(done[-1]["body"]) and "1 tone tip" in json.dumps(done[-1]["body"])


@pytest.mark.usefixtures("no_errors_logged")
def test_a_workspace_adds_and_disables_rules_and_reads_a_rules_file(
    http_app: RunningApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = http_app
    _settings(app, tone_rules_added="brush-off | not my circus | Let me find out who can help, and stay on it with you")
    _post(app, "U0LEE", "Honestly, not my circus.")
    [tip] = _ephemerals(app, "U0LEE", 1)
    assert "not my circus" in tip["text"] and "stay on it with you" in tip["text"]

    _settings(app, tone_rules_disabled="brush-off.not-my-job")
    _post(app, "U0STEPH", "Not my department, sorry.")
    assert [n.user_id for n in _nudges(app)] == ["U0LEE"]

    rules = tmp_path / "rules.txt"
    rules.write_text("threat | or we walk | Let's find a way through this together\n")
    _settings(app, tone_rules_file=str(rules))
    _post(app, "U0KIRI", "Fix it today or we walk.")
    assert [n.category for n in _nudges(app, "U0KIRI")] == ["threat"]
    # An edited file is read again (checked every few seconds; at once here), with no settings change.
    monkeypatch.setattr(matching, "RULES_FILE_CHECK_SECONDS", 0.0)
    rules.write_text("blame | the manual exists for a reason | Happy to walk you through it\n")
    os.utime(rules, (rules.stat().st_atime, rules.stat().st_mtime + 5))
    _post(app, "U0DANA", "The manual exists for a reason.")
    assert [n.category for n in _nudges(app, "U0DANA")] == ["blame"]


# --- the word model, after the acknowledgement -----------------------------------------------------------------

# No rule has these words; the shipped word model scores it a confident brush-off.
PARAPHRASE = "Your IT people will have to deal with that one."


def _message_event(ts: str, user: str, text: str, *, channel: str = "C0SUPPORT") -> dict[str, Any]:
    return {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "channel_type": "channel"}


@pytest.mark.usefixtures("no_errors_logged")
def test_the_word_model_tips_a_paraphrase_once_after_the_acknowledgement(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    # Hold the after-acknowledgement thread: the event must still be answered, with the model's check queued.
    gate = threading.Event()
    app.runtime.deps.after_ack.submit(gate.wait, what="a test's gate")
    ts = sim.seed_message("U0LEE", "C0SUPPORT", PARAPHRASE)
    event = _message_event(ts, "U0LEE", PARAPHRASE)
    assert sim.send_event(event, event_id="Ev0MODEL0001").status == 200
    with app.runtime.deps.session_factory.begin() as session:
        assert list(session.scalars(select(Nudge))) == []  # acknowledged before the model's verdict
    assert app.runtime.deps.after_ack.pending == 2
    gate.set()

    [tip] = _ephemerals(app, "U0LEE", 1)
    assert "Your IT people will have to deal with that one." in tip["text"] and "brush-off" in tip["text"]
    buttons = [e for b in tip["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Thanks", "Don't show me these"]
    assert all(b["value"] == f"C0SUPPORT:{ts}" for b in buttons)
    [row] = _nudges(app)
    assert (row.user_id, row.category, row.rule_id, row.message_ts) == ("U0LEE", "brush_off", "model.brush_off", ts)

    # Slack retries the same event: stored once, checked once, one tip.
    assert sim.send_event(event, event_id="Ev0MODEL0001", retry_num=1, retry_reason="http_timeout").status == 200
    assert len(_nudges(app)) == 1
    with app.runtime.deps.session_factory.begin() as session:
        assert session.scalar(select(func.count()).where(OutboxMessage.kind == "nudge")) == 1
    assert len(sim.calls_to("chat.postEphemeral")) == 1

    # The same cool-down as the rules: another brush-off from Lee today gets no second tip.
    _post(app, "U0LEE", "Honestly your IT people will have to deal with that one as well.")
    assert len(_nudges(app)) == 1


@pytest.mark.usefixtures("no_errors_logged")
def test_the_word_model_tips_nobody_a_rule_would_not_tip(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    _post(app, "W0EXTBOB", PARAPHRASE, channel="C0ACME")  # a customer
    app.command("nudges off", command="/rapport", user="U0LEE")
    _post(app, "U0LEE", PARAPHRASE)  # tips off for Lee
    _post(app, "U0STEPH", f"Customer wrote: {PARAPHRASE}")  # reported speech
    _post(app, "U0STEPH", f"{PARAPHRASE} :joy:")  # banter
    _post(app, "U0STEPH", f"{PARAPHRASE[:-1]}, but I've already emailed them for you.")  # a next step taken
    _settings(app, nudge_excluded_channels="C0RANDOM")
    _post(app, "U0STEPH", PARAPHRASE, channel="C0RANDOM")  # an internal-only channel
    assert _nudges(app) == []
    _post(app, "U0STEPH", PARAPHRASE)
    assert [(n.user_id, n.rule_id) for n in _nudges(app)] == [("U0STEPH", "model.brush_off")]
    _ephemerals(app, "U0STEPH", 1)
    assert sim.ephemerals(user="W0EXTBOB") == [] and sim.ephemerals(user="U0LEE") == []
