"""APScheduler decides when to call the jobs; what is due is always read from the database."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.runtime.deps import Deps
from bot.scheduling import jobs
from bot.services import relationships

SENDER_JOB = "outbox-sender"
SENDER_INTERVAL_SECONDS = 1.0
REMINDER_INTERVAL_SECONDS = 10.0
UNANSWERED_INTERVAL_SECONDS = 30.0
RELATIONSHIP_INTERVAL_SECONDS = 60.0


def build_scheduler(deps: Deps, *, client: WebClient, worker: str) -> BackgroundScheduler:
    """The outbox sender every second, due reminders every 10 s, unanswered alerts every 30 s, relationship DMs
    and the digest every minute, housekeeping hourly and retention daily."""
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1})

    def send() -> None:
        jobs.send_outbox(deps, client=client, now=deps.clock(), worker=worker)

    def reminders() -> None:
        jobs.queue_reminders(deps, now=deps.clock())

    def unanswered_alerts() -> None:
        jobs.queue_unanswered_alerts(deps, now=deps.clock())

    quiet_memo, anniversary_memo = relationships.NudgeMemo(), relationships.NudgeMemo()

    def quiet_nudges() -> None:
        jobs.queue_quiet_nudges(deps, now=deps.clock(), client=client, memo=quiet_memo)

    def anniversaries() -> None:
        jobs.queue_anniversaries(deps, now=deps.clock(), client=client, memo=anniversary_memo)

    def weekly_digest() -> None:
        jobs.queue_weekly_digest(deps, now=deps.clock())

    def housekeeping() -> None:
        jobs.forget_old_events(deps, now=deps.clock())

    def retention() -> None:
        jobs.apply_retention(deps, now=deps.clock())

    # next_run_time=now: whatever came due while the bot was down goes out at start, not skipped as misfired.
    scheduler.add_job(send, "interval", seconds=SENDER_INTERVAL_SECONDS, id=SENDER_JOB,
                      next_run_time=datetime.now(UTC), misfire_grace_time=None)  # fmt: skip
    scheduler.add_job(reminders, "interval", seconds=REMINDER_INTERVAL_SECONDS, id="reminders",
                      next_run_time=datetime.now(UTC), misfire_grace_time=None)  # fmt: skip
    scheduler.add_job(unanswered_alerts, "interval", seconds=UNANSWERED_INTERVAL_SECONDS, id="unanswered-alerts",
                      next_run_time=datetime.now(UTC), misfire_grace_time=None)  # fmt: skip
    # Due at 09:00 in each owner's timezone; every minute keeps them on time, and each tick is cheap.
    # The digest is due at a workspace's day and time, in its timezone: checked every minute too.
    for job, job_id in ((quiet_nudges, "quiet-nudges"), (anniversaries, "anniversaries"),
                        (weekly_digest, "weekly-digest")):  # fmt: skip
        scheduler.add_job(job, "interval", seconds=RELATIONSHIP_INTERVAL_SECONDS, id=job_id,
                          next_run_time=datetime.now(UTC), misfire_grace_time=None)  # fmt: skip
    scheduler.add_job(housekeeping, "interval", hours=1, id="housekeeping", next_run_time=datetime.now(UTC),
                      misfire_grace_time=None)  # fmt: skip
    # Daily, and at start-up: excerpts past the retention period go within a day, even after downtime.
    scheduler.add_job(retention, "interval", days=1, id="retention", next_run_time=datetime.now(UTC),
                      misfire_grace_time=None)  # fmt: skip
    return scheduler


def wake_sender(scheduler: BackgroundScheduler) -> None:
    """Run the sender now rather than at its next tick."""
    if scheduler.running:
        job = scheduler.get_job(SENDER_JOB)
        if job is not None:
            job.modify(next_run_time=datetime.now(UTC))
