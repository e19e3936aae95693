"""Reminder DMs through the running app while Slack pushes back: 429 + Retry-After, and a 5xx outage.

The app (real Bolt app, real database, real WebClient over HTTP to the simulator) is started as in
production; the jobs are then called at a chosen `now` a day ahead, where the background scheduler (on the
real clock) cannot reach, so time is an input and nothing sleeps.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.services.followups import queue_reminders
from bot.services.outbox import send_outbox
from bot.slacksim import SlackSimulator
from tests.e2e.conftest import RunningApp
from tests.e2e.reminders import RapportProcess, reminded_followups, seed_due_followups, wait_until


def _posts(app: RunningApp) -> list[tuple[int, bool]]:
    return [(c.status, c.ok) for c in app.sim.calls_to("chat.postMessage")]


@pytest.mark.usefixtures("no_errors_logged")
def test_a_429_is_waited_out_and_the_reminder_arrives_once(http_app: RunningApp, database_url: str) -> None:
    app, deps = http_app, http_app.runtime.deps
    due = deps.clock() + timedelta(days=1)
    [followup] = seed_due_followups(database_url, ["U0LEE"], 1, due_at=due)
    now = due + timedelta(seconds=5)
    assert queue_reminders(deps, now=now) == 1

    app.sim.fail_next("chat.postMessage", status=429, retry_after=30)
    first = send_outbox(deps, client=app.runtime.client, now=now, worker="e2e")
    retry_at = first.rate_limited_until
    assert first.sent == 0 and retry_at is not None
    assert now + timedelta(seconds=30) <= retry_at < now + timedelta(seconds=31)  # counted from the 429
    early = send_outbox(deps, client=app.runtime.client, now=retry_at - timedelta(seconds=1), worker="e2e")
    assert early.sent == 0 and _posts(app) == [(429, False)]  # nothing is tried before Retry-After passes

    after = send_outbox(deps, client=app.runtime.client, now=retry_at, worker="e2e")
    assert after.sent == 1 and _posts(app) == [(429, False), (200, True)]
    later = now + timedelta(minutes=5)
    assert queue_reminders(deps, now=later) == 0
    assert send_outbox(deps, client=app.runtime.client, now=later, worker="e2e").sent == 0
    assert reminded_followups(app.sim) == {followup: 1}
    assert len(app.sim.dm_messages("U0LEE")) == 1


@pytest.mark.usefixtures("no_errors_logged")
def test_a_5xx_outage_loses_and_doubles_nothing(http_app: RunningApp, database_url: str) -> None:
    app, deps = http_app, http_app.runtime.deps
    owners = ["U0LEE", "U0DANA", "U0STEPH", "U0KIRI"]
    due = deps.clock() + timedelta(days=1)
    followups = seed_due_followups(database_url, owners, 5, due_at=due)
    now = due + timedelta(seconds=5)
    assert queue_reminders(deps, now=now) == 20

    app.sim.fail_next("chat.postMessage", status=503, times=1_000_000)  # Slack is down until we say so
    passes = 0
    while now < due + timedelta(minutes=10):
        assert send_outbox(deps, client=app.runtime.client, now=now, worker="e2e").sent == 0
        passes += 1
        now += timedelta(seconds=10)
    down = app.sim.calls_to("chat.postMessage")
    assert down and all(c.status == 503 for c in down)
    assert len(down) <= passes  # an outage costs at most one call per pass, not one per waiting reminder

    app.sim.clear_faults()
    sent = 0
    for _ in range(60):  # backoff is capped at 5 minutes: ten minutes more is plenty
        sent += send_outbox(deps, client=app.runtime.client, now=now, worker="e2e").sent
        now += timedelta(seconds=10)
    assert sent == 20
    assert reminded_followups(app.sim) == {f: 1 for f in followups}
    assert all(len(app.sim.dm_messages(owner)) == 5 for owner in owners)


def test_rapport_run_waits_out_retry_after(sim: SlackSimulator, database_url: str, tmp_path: Path) -> None:
    """The same 429 against a real `rapport run` on the real clock: the DM comes after the wait, once."""
    [followup] = seed_due_followups(database_url, ["U0LEE"], 1, due_at=datetime.now(UTC) - timedelta(minutes=1))
    sim.fail_next("chat.postMessage", status=429, retry_after=2)
    app = RapportProcess(sim, database_url, log_path=tmp_path / "rapport.log")
    try:
        app.wait_healthy()
        wait_until(lambda: reminded_followups(sim), timeout=30)
        refused, accepted = sim.calls_to("chat.postMessage")[:2]
        assert (refused.status, accepted.status) == (429, 200)
        assert accepted.at - refused.at >= 2.0
        time.sleep(2.5)  # a few more sender ticks on the real clock: nothing else goes out
        assert reminded_followups(sim) == {followup: 1}
        assert len(sim.calls_to("chat.postMessage")) == 2
    finally:
        app.stop()
