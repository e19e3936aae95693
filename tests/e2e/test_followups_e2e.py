"""/followup through the running app, and its reminder DM delivered through the real sender."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.services import followups, outbox
from tests.e2e.conftest import RunningApp


@pytest.mark.usefixtures("no_errors_logged")
def test_followup_is_confirmed_listed_and_reminded_once(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp aka Acme owner <@U0LEE|lee>")
    reply = app.command("Acme tomorrow at 10am call back about the drive", command="/followup")
    shown = json.dumps(reply)
    assert reply["response_type"] == "ephemeral"
    assert "<@U0LEE>" in shown and "Acme Corp" in shown and "<!date^" in shown and "call back about the drive" in shown

    listing = json.dumps(app.command("list", command="/followup", user="U0LEE"))
    assert "call back about the drive" in listing
    assert "about the drive" not in json.dumps(app.command("list", command="/followup", user="U0DANA"))

    deps = app.runtime.deps
    [view] = followups.list_open(deps, team_id="T0SIM0001", user_id="U0LEE")
    later = view.due_at + timedelta(seconds=5)  # time is an input: the jobs run as they would tomorrow
    assert followups.queue_reminders(deps, now=later) == 1
    # The app's own sender may already have published Lee's Home tab: only the reminder is counted here.
    outbox.send_outbox(deps, client=app.runtime.client, now=later, worker="e2e")
    [dm] = sim.wait_for_calls("chat.postMessage", 1)
    assert dm.args["channel"] == "U0LEE"
    assert "call back about the drive" in json.dumps(dm.args) and "Acme Corp" in json.dumps(dm.args)
    assert followups.queue_reminders(deps, now=view.due_at + timedelta(minutes=5)) == 0
    assert len(sim.dm_messages("U0LEE")) == 1


@pytest.mark.usefixtures("no_errors_logged")
def test_followup_help_and_bad_when(http_app: RunningApp) -> None:
    assert "/followup Acme tomorrow" in json.dumps(http_app.command("help", command="/followup"))
    bad = json.dumps(http_app.command("in 3 dayz call Acme", command="/followup"))
    assert "For example" in bad and "minutes, hours, days and weeks" in bad
    past = json.dumps(http_app.command("2020-01-01 call", command="/followup"))
    assert "already past" in past


def _deliver_reminder(app: RunningApp, owner: str) -> tuple[str, dict]:  # type: ignore[type-arg]
    """Run the jobs as at the follow-up's due time; (DM channel, the reminder message as Slack shows it)."""
    deps = app.runtime.deps
    [view] = followups.list_open(deps, team_id="T0SIM0001", user_id=owner)
    later = view.due_at + timedelta(seconds=5)
    followups.queue_reminders(deps, now=later)
    outbox.send_outbox(deps, client=app.runtime.client, now=later, worker="e2e")
    post = [c for c in app.sim.calls_to("chat.postMessage") if c.args["channel"] == owner][-1]
    channel, ts = post.response["channel"], post.response["ts"]
    [message] = [m for m in app.sim.dm_messages(owner) if m["ts"] == ts]
    return channel, message


def _click(app: RunningApp, user: str, channel: str, message: dict, action: dict) -> None:  # type: ignore[type-arg]
    payload = {
        "type": "block_actions",
        "user": user,
        "channel": {"id": channel},
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
        "message": message,
        "actions": [action],
    }
    assert app.sim.send_interactive(payload).status == 200


def _action(message: dict, action_id: str) -> dict:  # type: ignore[type-arg]
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return {**element, "block_id": block["block_id"]}
    raise AssertionError(f"no {action_id} in {message}")


@pytest.mark.usefixtures("no_errors_logged")
def test_reminder_life_cycle_through_real_clicks(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp owner <@U0LEE|lee>")
    app.command("Acme Corp tomorrow call back about the drive", command="/followup")
    channel, reminder = _deliver_reminder(app, "U0LEE")

    snooze = _action(reminder, "followup_snooze")
    _click(app, "U0LEE", channel, reminder, {**snooze, "selected_option": snooze["options"][0]})
    [after_snooze] = [m for m in sim.dm_messages("U0LEE") if m["ts"] == reminder["ts"]]
    assert "Snoozed until" in json.dumps(after_snooze)
    [view] = followups.list_open(app.runtime.deps, team_id="T0SIM0001", user_id="U0LEE")
    assert view.due_at > app.runtime.deps.clock()

    done = _action(reminder, "followup_done")
    _click(app, "U0LEE", channel, reminder, done)
    _click(app, "U0LEE", channel, reminder, done)  # a double click changes nothing twice
    [updated] = [m for m in sim.dm_messages("U0LEE") if m["ts"] == reminder["ts"]]
    assert "Done already (by <@U0LEE>)" in json.dumps(updated)
    assert followups.list_open(app.runtime.deps, team_id="T0SIM0001", user_id="U0LEE") == []

    check_back = _action(updated, "followup_check_back")
    _click(app, "U0LEE", channel, updated, check_back)
    _click(app, "U0LEE", channel, updated, check_back)
    [checkin] = followups.list_open(app.runtime.deps, team_id="T0SIM0001", user_id="U0LEE")
    assert checkin.kind == "checkin" and checkin.customer_name == "Acme Corp"
    assert "still good" in checkin.note


@pytest.mark.usefixtures("no_errors_logged")
def test_reassign_hands_over_with_a_dm(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    app.command("add Globex owner <@U0LEE|lee>")
    app.command("Globex in 1 hour check the invoice", command="/followup")
    channel, reminder = _deliver_reminder(app, "U0LEE")
    _click(app, "U0LEE", channel, reminder, {**_action(reminder, "followup_reassign"), "selected_user": "U0STEPH"})
    handover = sim.wait_for_calls("chat.postMessage", 2)[-1]
    assert handover.args["channel"] == "U0STEPH" and "handed you a follow-up" in json.dumps(handover.args)
    [view] = followups.list_open(app.runtime.deps, team_id="T0SIM0001", user_id="U0STEPH")
    assert view.note == "check the invoice"
