"""Jobs: plain functions of `now`, safe to run in several processes at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot.db import queries
from bot.services import followups, outbox
from bot.services.deps import Deps

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
        if report.rate_limited_until or report.sent + report.failed == 0:
            total.rate_limited_until = report.rate_limited_until
            return total
        now = deps.clock()


def forget_old_events(deps: Deps, *, now: datetime) -> int:
    """Drop event ids older than Slack's retry window."""
    with deps.session_factory.begin() as session:
        return queries.prune_processed_events(session, before=now - EVENT_MEMORY)


def queue_reminders(deps: Deps, *, now: datetime) -> int:
    """Queue the reminder DMs of every follow-up that came due (however long ago: nothing is skipped)."""
    total = 0
    while (queued := followups.queue_reminders(deps, now=now)) > 0:
        total += queued
    return total
