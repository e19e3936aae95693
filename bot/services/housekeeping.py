"""Housekeeping: forgetting what no longer needs remembering."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.db.queries import events as event_rows
from bot.runtime.deps import Deps

# Slack retries an event for about five minutes; a day is ample.
EVENT_MEMORY = timedelta(days=1)


def forget_old_events(deps: Deps, *, now: datetime) -> int:
    """Drop event ids older than Slack's retry window."""
    with deps.session_factory.begin() as session:
        return event_rows.prune_before(session, before=now - EVENT_MEMORY)
