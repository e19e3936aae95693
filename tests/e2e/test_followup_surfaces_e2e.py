"""Every way to make a follow-up besides typing it (the modal, the message shortcut, the follow-up emoji), and the
Home tab, through the running app and the simulator."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from bot.db.models import FollowUp
from bot.services import followups, outbox
from tests.e2e.conftest import RunningApp, eventually

TEAM = "T0SIM0001"


def _view_of(call_args: dict[str, Any]) -> dict[str, Any]:
    view = call_args["view"]
    return view if isinstance(view, dict) else json.loads(view)


def _submit(
    app: RunningApp, view: dict[str, Any], *, user: str, owner: str, customer: str, when: str, note: str
) -> dict[str, Any]:
    values = {
        "followup_owner": {"owner": {"type": "users_select", "selected_user": owner}},
        "followup_customer": {"customer": {"type": "plain_text_input", "value": customer or None}},
        "followup_when": {"when": {"type": "plain_text_input", "value": when or None}},
        "followup_note": {"note": {"type": "plain_text_input", "value": note or None}},
    }
    submitted = {**view, "id": view.get("id") or "V0TEST", "team_id": TEAM, "state": {"values": values}}
    payload = {"type": "view_submission", "user": {"id": user}, "team": {"id": TEAM}, "view": submitted}
    result = app.sim.send_interactive(payload)
    assert result.status == 200
    return result.body if isinstance(result.body, dict) else {}


@pytest.mark.usefixtures("no_errors_logged")
def test_followup_without_text_opens_a_modal_that_validates_each_field(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp owner <@U0LEE|lee>")
    assert sim.slash_command("U0DANA", "C0SUPPORT", "/followup", "").status == 200
    [opened] = sim.wait_for_calls("views.open", 1)
    view = _view_of(opened.args)
    assert view["callback_id"] == "followup_modal"

    unknown = _submit(app, view, user="U0DANA", owner="U0LEE", customer="Initech", when="tomorrow", note="call")
    assert unknown["response_action"] == "errors" and "Initech" in unknown["errors"]["followup_customer"]
    garbled = _submit(app, view, user="U0DANA", owner="U0LEE", customer="Acme Corp", when="in 3 dayz", note="x")
    assert garbled["response_action"] == "errors" and "followup_when" in garbled["errors"]
    past = _submit(app, view, user="U0DANA", owner="U0LEE", customer="Acme", when="2020-01-01", note="call")
    assert past["response_action"] == "errors" and "past" in past["errors"]["followup_when"]
    empty = _submit(app, view, user="U0DANA", owner="U0LEE", customer="", when="", note="")
    assert empty["response_action"] == "errors" and "followup_note" in empty["errors"]
    assert followups.list_open(app.runtime.deps, team_id=TEAM, user_id="U0LEE") == []  # nothing created

    done = _submit(
        app,
        view,
        user="U0DANA",
        owner="U0LEE",
        customer="acme corp",
        when="tomorrow at 10am",
        note="Call back about <!here> the drive",
    )
    assert done["response_action"] == "update"
    shown = json.dumps(done["view"])
    assert "<!date^" in shown and "Acme Corp" in shown and "&lt;!here&gt;" in shown and "<!here>" not in shown
    [created] = followups.list_open(app.runtime.deps, team_id=TEAM, user_id="U0LEE")
    assert created.customer_name == "Acme Corp" and created.note == "Call back about <!here> the drive"


@pytest.mark.usefixtures("no_errors_logged")
def test_follow_up_on_this_prefills_the_customer_and_links_the_message(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Globex Corporation aka Globex owner <@U0STEPH|steph>")
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    ts, delivery = sim.post_message("U0DANA", "C0SUPPORT", "Globex says the invoice total is wrong again")
    assert delivery.status == 200
    payload = {
        "type": "message_action",
        "callback_id": "followup_from_message",
        "user": {"id": "U0DANA"},
        "channel": {"id": "C0SUPPORT", "name": "support"},
        "message": {
            "type": "message",
            "user": "U0DANA",
            "ts": ts,
            "text": "Globex says the invoice total is wrong again",
        },
    }
    assert sim.send_interactive(payload).status == 200
    [opened] = sim.wait_for_calls("views.open", 1)
    view = _view_of(opened.args)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["followup_customer"]["element"]["initial_value"] == "Globex Corporation"
    assert blocks["followup_owner"]["element"]["initial_user"] == "U0STEPH"  # the customer's owner

    done = _submit(
        app,
        view,
        user="U0DANA",
        owner="U0STEPH",
        customer="Globex Corporation",
        when="in 2 hours",
        note="check the invoice was fixed",
    )
    assert done["response_action"] == "update"
    [created] = followups.list_open(app.runtime.deps, team_id=TEAM, user_id="U0STEPH")
    assert (created.source_channel_id, created.source_ts) == ("C0SUPPORT", ts)

    later = created.due_at + timedelta(seconds=1)
    followups.queue_reminders(app.runtime.deps, now=later)
    outbox.send_outbox(app.runtime.deps, client=app.runtime.client, now=later, worker="e2e")
    reminder = json.dumps([c.args for c in sim.calls_to("chat.postMessage") if c.args["channel"] == "U0STEPH"][-1])
    assert f"archives/C0SUPPORT/p{ts.replace('.', '')}" in reminder and "Globex Corporation" in reminder


def _react(
    app: RunningApp, *, user: str, channel: str, ts: str, reaction: str = "alarm_clock", event_id: str | None = None
) -> None:
    event = {
        "type": "reaction_added",
        "user": user,
        "reaction": reaction,
        "item_user": "U0DANA",
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": ts,
    }
    assert app.sim.send_event(event, event_id=event_id).status == 200


@pytest.mark.usefixtures("no_errors_logged")
def test_follow_up_emoji_makes_one_follow_up_for_the_customers_owner(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    deps = app.runtime.deps
    app.command("add Acme Corp aka Acme owner <@U0LEE|lee>")
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    ts, _ = sim.post_message("U0DANA", "C0SUPPORT", "Acme lost their drive again, someone should call them")

    _react(app, user="U0DANA", channel="C0SUPPORT", ts=ts, event_id="EvREACT1")
    _react(app, user="U0DANA", channel="C0SUPPORT", ts=ts, event_id="EvREACT1")  # Slack's retry
    _react(app, user="U0DANA", channel="C0SUPPORT", ts=ts, event_id="EvREACT2")  # removed and added again
    _react(app, user="U0DANA", channel="C0SUPPORT", ts=ts, reaction="thumbsup")  # not the follow-up emoji
    _react(app, user="U0RAPPORT", channel="C0SUPPORT", ts=ts)  # the bot's own reaction never counts
    [created] = followups.list_open(deps, team_id=TEAM, user_id="U0LEE")
    assert created.customer_name == "Acme Corp" and created.created_by == "U0DANA"
    assert (created.source_channel_id, created.source_ts) == ("C0SUPPORT", ts)
    assert "lost their drive" in created.note
    assert created.due_at > deps.clock() + timedelta(days=1)  # the workspace default: 2 working days, 09:00
    assert followups.list_open(deps, team_id=TEAM, user_id="U0DANA") == []

    # The reactor is told, privately, with the due time as a date token.
    confirmation = eventually(lambda: sim.ephemerals(user="U0DANA", channel="C0SUPPORT"))
    assert len(confirmation) == 1
    assert "<!date^" in json.dumps(confirmation) and "<@U0LEE>" in json.dumps(confirmation)


@pytest.mark.usefixtures("no_errors_logged")
def test_follow_up_emoji_on_a_message_naming_no_customer_is_for_the_reactor(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    ts, _ = sim.post_message("U0LEE", "C0SUPPORT", "Can someone check why the export is slow?")
    _react(app, user="U0STEPH", channel="C0SUPPORT", ts=ts, reaction="alarm_clock::skin-tone-3")
    [created] = followups.list_open(app.runtime.deps, team_id=TEAM, user_id="U0STEPH")
    assert created.customer_name is None and created.source_ts == ts


def _home(app: RunningApp, user: str, *, containing: str) -> dict[str, Any]:
    return eventually(lambda: (v := app.sim.home_view(user)) is not None and containing in json.dumps(v) and v)


@pytest.mark.usefixtures("no_errors_logged")
def test_home_tab_lists_my_follow_ups_overdue_first_and_done_there_refreshes_it(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    deps = app.runtime.deps
    app.command("add Acme Corp owner <@U0LEE|lee>")
    app.command("add Globex owner <@U0LEE|lee>")
    app.command("Acme Corp in 10 minutes call back about the drive", command="/followup")
    app.command("Globex next week check the invoice", command="/followup")
    [acme] = [v for v in followups.list_open(deps, team_id=TEAM, user_id="U0LEE") if v.customer_name == "Acme Corp"]
    with deps.session_factory.begin() as session:  # as if the ten minutes had passed long ago
        session.get_one(FollowUp, acme.id).due_at = deps.clock() - timedelta(hours=1)

    assert sim.send_event({"type": "app_home_opened", "user": "U0LEE", "channel": "D0LEE", "tab": "home"}).status == 200
    home = _home(app, "U0LEE", containing="Overdue")
    shown = json.dumps(home)
    assert shown.index("call back about the drive") < shown.index("check the invoice")  # overdue first
    assert "Your customers" in shown and "Acme Corp" in shown and "Globex" in shown
    assert len(home["blocks"]) <= 100

    done = next(
        e | {"block_id": b["block_id"]}
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "followup_done" and e["value"] == str(acme.id)
    )
    payload = {
        "type": "block_actions",
        "user": {"id": "U0LEE"},
        "container": {"type": "view", "view_id": home["id"]},
        "view": {"id": home["id"], "type": "home"},
        "actions": [done],
    }
    assert sim.send_interactive(payload).status == 200
    refreshed = eventually(lambda: "call back about the drive" not in json.dumps(sim.home_view("U0LEE")))
    assert refreshed
    assert "check the invoice" in json.dumps(sim.home_view("U0LEE"))
    assert [v.customer_name for v in followups.list_open(deps, team_id=TEAM, user_id="U0LEE")] == ["Globex"]
