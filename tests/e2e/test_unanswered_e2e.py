"""A customer's message in the shared channel, through the real app: one DM to the owner if nobody answers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from bot.db.queries import settings as settings_rows
from bot.domain.messages import ts_to_datetime
from bot.domain.when import WorkWeek, add_working_minutes, zone
from bot.services import outbox, unanswered
from tests.e2e.conftest import RunningApp, eventually

BOB = "W0EXTBOB"  # Bob Customer, of Acme's own Slack team, in the shared channel C0ACME


def link_acme(app: RunningApp) -> None:
    app.command("add Acme Corp owner <@U0LEE|lee>")
    app.sim.add_bot_to_channel("C0ACME", inviter="U0DANA")
    assert "linked to *Acme Corp*" in json.dumps(app.command("link Acme Corp", channel="C0ACME"))


def after_deadline(app: RunningApp, ts: str) -> datetime:
    """Just past the default alert time (30 working minutes, Mon–Fri 09:00–17:00 in the workspace's timezone: its
    primary owner's, read at start-up) after a message."""
    deps = app.runtime.deps
    with deps.session_factory.begin() as session:
        tz = settings_rows.of_workspace(session, team_id="T0SIM0001", now=deps.clock()).timezone
    assert tz == "Europe/London"  # Olive, the simulated workspace's primary owner
    return add_working_minutes(ts_to_datetime(ts), 30, WorkWeek(), zone(tz)) + timedelta(seconds=1)


def run_jobs(app: RunningApp, now: datetime) -> int:
    """The alert job and the sender, as they would run at `now`."""
    deps = app.runtime.deps
    queued = unanswered.queue_unanswered_alerts(deps, now=now)
    outbox.send_outbox(deps, client=app.runtime.client, now=now, worker="e2e")
    return queued


@pytest.mark.usefixtures("no_errors_logged")
def test_an_unanswered_customer_message_dms_the_owner_once(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    link_acme(app)
    ts, delivery = sim.post_message(BOB, "C0ACME", "<!here> Hi, our drive is broken again & nobody replies")
    assert delivery.status == 200
    sim.post_message("U0OTHERBOT", "C0ACME", "Ticket #42 created", thread_ts=ts, bot_id="B0OTHER")  # not an answer
    sim.post_message(BOB, "C0ACME", "Hello??", thread_ts=ts)  # nor is the customer's own reply

    due = after_deadline(app, ts)
    assert run_jobs(app, due - timedelta(seconds=2)) == 0
    assert sim.dm_messages("U0LEE") == []
    assert run_jobs(app, due) == 1
    assert run_jobs(app, due + timedelta(minutes=5)) == 0

    [dm] = eventually(lambda: sim.dm_messages("U0LEE"))
    shown = json.dumps(dm)
    assert "Acme Corp" in shown and f"<@{BOB}>" in shown and "our drive is broken again" in shown
    assert f"https://rapport-sim.slack.com/archives/C0ACME/p{ts.replace('.', '')}" in shown
    assert "<!here>" not in shown and "&amp; nobody replies" in shown
    assert len(sim.dm_messages("U0LEE")) == 1


@pytest.mark.usefixtures("no_errors_logged")
def test_a_members_thread_reply_means_no_dm(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    link_acme(app)
    ts, _ = sim.post_message(BOB, "C0ACME", "Can someone look at invoice 1234?")
    sim.post_message("U0STEPH", "C0ACME", "Of course, let me take care of that for you", thread_ts=ts)
    assert run_jobs(app, after_deadline(app, ts) + timedelta(hours=1)) == 0
    assert sim.dm_messages("U0LEE") == []


@pytest.mark.usefixtures("no_errors_logged")
def test_a_members_later_channel_message_means_no_dm(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    link_acme(app)
    ts, _ = sim.post_message(BOB, "C0ACME", "Is the outage over?")
    sim.post_message("U0DANA", "C0ACME", "Yes, everything is back since 10:05")
    assert run_jobs(app, after_deadline(app, ts) + timedelta(hours=1)) == 0
    assert sim.dm_messages("U0LEE") == []
