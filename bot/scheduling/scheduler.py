"""APScheduler decides when to call the jobs; what is due is always read from the database.

Every job is a service function taking `deps` and `now` (and what its row in the table adds), safe to run in
several processes at once; tests call the same functions with a chosen `now`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from bot.runtime.clients import Clients
from bot.runtime.deps import Deps
from bot.services import (
    digest,
    followups,
    housekeeping,
    outbox,
    privacy,
    purge,
    relationships,
    triage,
    unanswered,
    workspace_time,
)
from bot.services.relationships import NudgeMemo

SENDER_JOB = "outbox-sender"
SENDER_INTERVAL_SECONDS = 1.0
REMINDER_INTERVAL_SECONDS = 10.0
UNANSWERED_INTERVAL_SECONDS = 30.0
RELATIONSHIP_INTERVAL_SECONDS = 60.0
HOUSEKEEPING_INTERVAL_SECONDS = 3600.0
RETENTION_INTERVAL_SECONDS = 86400.0
WORKSPACE_TIME_INTERVAL_SECONDS = 300.0


@dataclass(frozen=True)
class Job:
    """One row of the table: what to call, how often, and what it is given besides `deps` and `now`."""

    id: str
    run: Callable[..., object]
    every_seconds: float
    extras: Mapping[str, Any] = field(default_factory=dict)


def job_table(*, client: Clients, worker: str) -> tuple[Job, ...]:
    """Every job serves every installed workspace, each with its own bot token (`client` gives the workspace's
    client; see runtime.clients). The outbox sender every second, due reminders every 10 s, unanswered alerts
    every 30 s, relationship DMs and the digest every minute, the workspace's time checked every 5 minutes (read
    daily, or 15 minutes after a failed read), housekeeping hourly, retention and the purge of departed workspaces
    daily."""
    minute = RELATIONSHIP_INTERVAL_SECONDS
    return (
        Job(SENDER_JOB, outbox.send_outbox, SENDER_INTERVAL_SECONDS, {"client": client, "worker": worker}),
        Job("reminders", followups.queue_reminders, REMINDER_INTERVAL_SECONDS),
        # Owners' presence and status (for their customers' backup owners) are looked at with `client`.
        Job("unanswered-alerts", unanswered.queue_unanswered_alerts, UNANSWERED_INTERVAL_SECONDS, {"client": client}),
        # A triage message nobody claimed is raised once more past the escalation delay.
        Job("triage-escalations", triage.queue_escalations, UNANSWERED_INTERVAL_SECONDS),
        # Due at 09:00 in each owner's timezone; every minute keeps them on time, and each tick is cheap.
        Job("quiet-nudges", relationships.queue_quiet_nudges, minute, {"client": client, "memo": NudgeMemo()}),
        Job("anniversaries", relationships.queue_anniversaries, minute, {"client": client, "memo": NudgeMemo()}),
        # The digest is due at a workspace's day and time, in its timezone: checked every minute too.
        Job("weekly-digest", digest.queue_weekly_digest, minute),
        # The workspace timezone follows its people until an admin sets it: read daily, retried after a failure.
        Job("workspace-time", workspace_time.refresh_due, WORKSPACE_TIME_INTERVAL_SECONDS, {"client": client}),
        Job("housekeeping", housekeeping.forget_old_events, HOUSEKEEPING_INTERVAL_SECONDS),
        # Daily, and at start-up: excerpts past the retention period go within a day, even after downtime.
        Job("retention", privacy.apply_retention, RETENTION_INTERVAL_SECONDS),
        # A workspace gone (uninstalled, token revoked) longer than its retention period is purged, daily too.
        Job("departed-workspaces", purge.purge_departed, RETENTION_INTERVAL_SECONDS),
    )


def build_scheduler(deps: Deps, *, client: Clients, worker: str) -> BackgroundScheduler:
    """Every job of the table on its interval; whatever queues outbox rows through `deps` wakes its sender."""
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1})
    for job in job_table(client=client, worker=worker):
        # next_run_time=now: whatever came due while the bot was down goes out at start, not skipped as misfired.
        scheduler.add_job(
            _run,
            "interval",
            args=(job.run, deps),
            kwargs=dict(job.extras),
            id=job.id,
            name=job.id,
            seconds=job.every_seconds,
            next_run_time=datetime.now(UTC),
            misfire_grace_time=None,
        )
    deps.wake_sender.attach(lambda: wake_sender(scheduler))
    return scheduler


def _run(job: Callable[..., object], deps: Deps, **extras: Any) -> None:
    """One run of a job, at the time it actually starts (a woken or late run still sees the real `now`)."""
    job(deps, now=deps.clock(), **extras)


def wake_sender(scheduler: BackgroundScheduler) -> None:
    """Run the sender now rather than at its next tick."""
    if scheduler.running:
        job = scheduler.get_job(SENDER_JOB)
        if job is not None:
            job.modify(next_run_time=datetime.now(UTC))
