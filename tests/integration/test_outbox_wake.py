"""A job that queues a message wakes the outbox sender: the message goes out now, not at the sender's next tick."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.db.models import FollowUp
from bot.db.queries import workspaces as workspace_rows
from bot.runtime.deps import Deps
from bot.scheduling import scheduler as scheduling
from bot.services import followups
from bot.slacksim import SlackSimulator
from tests.conftest import TEAM, FakeClock

HOUR = 3600.0


@pytest.fixture
def scheduler(deps: Deps, client: WebClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[BackgroundScheduler]:
    """The app's scheduler on the test's deps, with an hour between the sender's (and the reminder job's) ticks:
    within a test, only a wake can make the sender run again."""
    monkeypatch.setattr(scheduling, "SENDER_INTERVAL_SECONDS", HOUR)
    monkeypatch.setattr(scheduling, "REMINDER_INTERVAL_SECONDS", HOUR)
    built = scheduling.build_scheduler(deps, client=client, worker="test")
    yield built
    if built.running:
        built.shutdown(wait=True)


def seed_followup(deps: Deps, *, due_at: datetime) -> None:
    with deps.session_factory.begin() as session:
        workspace_rows.ensure(session, team_id=TEAM, now=due_at)
        session.add(
            FollowUp(
                team_id=TEAM,
                owner_user_id="U0LEE",
                note="call back",
                due_at=due_at,
                state="open",
                reminders_sent=0,
                created_by="U0DANA",
                created_at=due_at - timedelta(days=1),
                kind="followup",
            )
        )


def quiet(scheduler: BackgroundScheduler) -> None:
    """Start the scheduler with every job's next tick an hour away (none of their start-up runs)."""
    scheduler.start(paused=True)
    later = datetime.now(UTC) + timedelta(seconds=HOUR)
    for job in scheduler.get_jobs():
        job.modify(next_run_time=later)


def test_a_job_that_queues_a_reminder_moves_the_senders_next_run_to_now(
    deps: Deps, clock: FakeClock, scheduler: BackgroundScheduler
) -> None:
    seed_followup(deps, due_at=clock.now)
    quiet(scheduler)
    sender = scheduler.get_job(scheduling.SENDER_JOB)
    assert sender is not None and sender.next_run_time > datetime.now(UTC) + timedelta(minutes=30)
    assert followups.queue_reminders(deps, now=clock.now) == 1
    woken = scheduler.get_job(scheduling.SENDER_JOB)
    assert woken is not None and woken.next_run_time <= datetime.now(UTC)


def test_the_reminder_job_run_by_the_scheduler_is_delivered_without_waiting_for_the_senders_tick(
    deps: Deps, clock: FakeClock, sim: SlackSimulator, scheduler: BackgroundScheduler
) -> None:
    seed_followup(deps, due_at=clock.now - timedelta(minutes=1))
    quiet(scheduler)
    scheduler.resume()
    reminders = scheduler.get_job("reminders")
    assert reminders is not None
    reminders.modify(next_run_time=datetime.now(UTC))  # the reminder job's tick comes; the sender's is an hour away
    [post] = sim.wait_for_calls("chat.postMessage", 1, timeout=10)
    assert post.ok and post.args["channel"] == "U0LEE" and "call back" in post.args["text"]
    assert len(sim.dm_messages("U0LEE")) == 1
