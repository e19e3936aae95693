"""Jobs: plain functions of `now`, safe to run in several processes at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot.db.queries import events as event_rows
from bot.runtime.deps import Deps
from bot.services import digest, followups, outbox, privacy, relationships, unanswered

# Slack retries an event for about five minutes; a day is ample.
EVENT_MEMORY = timedelta(days=1)


def send_outbox(deps: Deps, *, client: WebClient, now: datetime, worker: str) -> outbox.SendReport:
    """Deliver every due outbox row this worker can claim, in batches, until none is left."""
    total = outbox.SendReport()
    while True:
        report = outbox.deliver_due(deps, client=client, now=now, worker=worker)
        total.sent += report.sent
        total.retried += report.retried
        total.failed += report.failed
        total.deferred += report.deferred
        total.skipped += report.skipped
        # Stop when Slack holds every send (429), is unwell (a 5xx ended the pass) or nothing is left.
        progress = report.sent + report.failed + report.deferred + report.skipped
        if report.rate_limited_until or report.retried or progress == 0:
            total.rate_limited_until = report.rate_limited_until
            return total
        now = deps.clock()


def forget_old_events(deps: Deps, *, now: datetime) -> int:
    """Drop event ids older than Slack's retry window."""
    with deps.session_factory.begin() as session:
        return event_rows.prune_before(session, before=now - EVENT_MEMORY)


def queue_reminders(deps: Deps, *, now: datetime) -> int:
    """Queue the reminder DMs of every follow-up that came due (however long ago: nothing is skipped)."""
    total = 0
    while (queued := followups.queue_reminders(deps, now=now)) > 0:
        total += queued
    return total


def queue_unanswered_alerts(deps: Deps, *, now: datetime) -> int:
    """Queue one DM to the owner for each customer message left unanswered past its working-minutes deadline."""
    total = 0
    while True:
        report = unanswered.queue_alerts(deps, now=now)
        total += report.alerted
        if report.alerted + report.expired == 0:
            return total


def queue_quiet_nudges(deps: Deps, *, now: datetime, client: WebClient | None = None,
                       memo: relationships.NudgeMemo | None = None) -> int:  # fmt: skip
    """Queue this week's gone-quiet DM for every customer owner whose Monday 09:00 has passed (once a week)."""
    return relationships.queue_quiet_nudges(deps, now=now, client=client, memo=memo)


def queue_anniversaries(deps: Deps, *, now: datetime, client: WebClient | None = None,
                        memo: relationships.NudgeMemo | None = None) -> int:  # fmt: skip
    """Queue the DM for every customer-since anniversary whose 09:00 (owner's time) has come today."""
    return relationships.queue_anniversaries(deps, now=now, client=client, memo=memo)


def queue_weekly_digest(deps: Deps, *, now: datetime) -> int:
    """Queue the week's story digest for every workspace whose digest day and time (workspace time) has come."""
    return digest.queue_weekly_digest(deps, now=now)


def apply_retention(deps: Deps, *, now: datetime) -> privacy.RetentionReport:
    """Drop stored excerpts (and sent messages' payloads) older than each workspace's retention days."""
    return privacy.apply_retention(deps, now=now)
