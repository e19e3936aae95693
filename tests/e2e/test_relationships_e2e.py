"""The gone-quiet DM through the running app: queued by the job at a chosen `now`, delivered by the real sender,
and both of its buttons clicked as real block_actions (HTTP and Socket Mode). Also the anniversary DM."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import Customer
from bot.services import followups, outbox, relationships
from tests.e2e.conftest import RunningApp

TEAM = "T0SIM0001"


def _a_monday_noon(after: datetime) -> datetime:
    day = after.date()
    return datetime.combine(day + timedelta(days=(7 - day.weekday()) % 7), time(12, 0), tzinfo=UTC)


def _deliver(app: RunningApp, now: datetime, owner: str) -> tuple[str, dict[str, Any]]:
    """Send what is due at `now`; (DM channel, the last DM to `owner` as Slack shows it)."""
    # The app's own sender may have delivered other rows (a Home tab refresh) already, or leave them to this pass.
    report = outbox.send_outbox(app.runtime.deps, client=app.runtime.client, now=now, worker="e2e")
    assert report.sent >= 1 and report.failed == 0
    post = [c for c in app.sim.calls_to("chat.postMessage") if c.args.get("channel") == owner][-1]
    channel, ts = post.response["channel"], post.response["ts"]
    [message] = [m for m in app.sim.dm_messages(owner) if m["ts"] == ts]
    return channel, message


def _buttons(message: dict[str, Any], customer_id: int) -> dict[str, dict[str, Any]]:
    """The buttons of one customer's line, by action id."""
    [block] = [b for b in message["blocks"] if b.get("block_id") == f"quiet_customer_{customer_id}"]
    return {e["action_id"]: {**e, "block_id": block["block_id"]} for e in block["elements"]}


def _click(app: RunningApp, user: str, channel: str, message: dict[str, Any], action: dict[str, Any]) -> None:
    payload = {
        "type": "block_actions",
        "user": user,
        "channel": {"id": channel},
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
        "message": message,
        "actions": [action],
    }
    assert app.sim.send_interactive(payload).status == 200


def _current(app: RunningApp, owner: str, ts: str) -> dict[str, Any]:
    [message] = [m for m in app.sim.dm_messages(owner) if m["ts"] == ts]
    return message


def _customer(app: RunningApp, name: str) -> Customer:
    with app.runtime.deps.session_factory.begin() as session:
        return session.scalars(select(Customer).where(Customer.name == name)).one()


@pytest.mark.usefixtures("no_errors_logged")
def test_quiet_dm_and_both_buttons_through_real_clicks(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp owner <@U0LEE|lee> since 2019-04-01")
    app.command("add Smith & Sons owner <@U0LEE|lee>")
    deps = app.runtime.deps
    acme, smith = _customer(app, "Acme Corp").id, _customer(app, "Smith & Sons").id

    now = _a_monday_noon(deps.clock() + timedelta(days=40))  # time is an input: six weeks of silence later
    assert relationships.queue_quiet_nudges(deps, now=now, client=app.runtime.client) == 1
    assert relationships.queue_quiet_nudges(deps, now=now + timedelta(hours=1), client=app.runtime.client) == 0
    channel, dm = _deliver(app, now, "U0LEE")
    shown = json.dumps(dm)
    assert "2 of your customers have gone quiet" in shown and "Smith &amp; Sons" in shown
    assert shown.index("Acme Corp") < shown.index("Smith &amp; Sons")  # longest relationship first

    plan = _buttons(dm, acme)["quiet_plan_checkin"]
    _click(app, "U0LEE", channel, dm, plan)
    updated = _current(app, "U0LEE", dm["ts"])
    assert "Check-in with *Acme Corp* planned" in json.dumps(updated) and "<!date^" in json.dumps(updated)
    assert "quiet_snooze" in json.dumps(_buttons(updated, smith))  # the other customer's buttons stay
    _click(app, "U0LEE", channel, dm, plan)  # a double click (from the message as first shown)
    assert "Already planned: a check-in with *Acme Corp*" in json.dumps(_current(app, "U0LEE", dm["ts"]))
    [checkin] = followups.list_open(deps, team_id=TEAM, user_id="U0LEE")
    assert (checkin.kind, checkin.customer_name) == ("checkin", "Acme Corp")
    assert checkin.due_at > deps.clock() + timedelta(days=1)

    snooze = _buttons(updated, smith)["quiet_snooze"]
    _click(app, "U0LEE", channel, updated, snooze)
    snoozed = json.dumps(_current(app, "U0LEE", dm["ts"]))
    assert "*Smith &amp; Sons* snoozed" in snoozed and "Check-in with *Acme Corp* planned" in snoozed
    until = _customer(app, "Smith & Sons").quiet_snoozed_until
    assert until is not None and abs(until - (deps.clock() + timedelta(days=30))) < timedelta(minutes=5)
    _click(app, "U0LEE", channel, updated, snooze)
    assert "already snoozed" in json.dumps(_current(app, "U0LEE", dm["ts"]))
    assert _customer(app, "Smith & Sons").quiet_snoozed_until == until
    assert len(sim.dm_messages("U0LEE")) == 1  # every answer updated the DM in place


@pytest.mark.usefixtures("no_errors_logged")
def test_anniversary_dm_is_delivered_once(http_app: RunningApp) -> None:
    app = http_app
    app.command("add Acme Corp owner <@U0LEE|lee> since 2019-04-01")
    deps = app.runtime.deps
    now = datetime(max(deps.clock().year + 1, 2027), 4, 1, 12, 0, tzinfo=UTC)
    years = now.year - 2019
    assert relationships.queue_anniversaries(deps, now=now, client=app.runtime.client) == 1
    assert relationships.queue_anniversaries(deps, now=now + timedelta(hours=2), client=app.runtime.client) == 0
    _, dm = _deliver(app, now, "U0LEE")
    assert f"{years} years with Acme Corp today" in json.dumps(dm)
    assert date(2019, 4, 1).strftime("%b %Y") in json.dumps(dm)
