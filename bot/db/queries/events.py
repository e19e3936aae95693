"""Slack event ids already processed, so a retried delivery is stored once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.db.models import ProcessedEvent
from bot.db.queries._shared import insert_ignoring_conflicts, rowcount


def new_row(*, team_id: str, event_id: str, now: datetime) -> dict[str, Any]:
    """The values of a processed-event row, for this module and intake alike."""
    return {"team_id": team_id, "event_id": event_id, "received_at": now}


def claim(session: Session, *, team_id: str, event_id: str, now: datetime) -> bool:
    """Record an event id; False if it was already processed (a Slack retry)."""
    return insert_ignoring_conflicts(session, ProcessedEvent, new_row(team_id=team_id, event_id=event_id, now=now))


def prune_before(session: Session, *, before: datetime) -> int:
    """Forget event ids older than Slack's retry window, in every workspace (a job's sweep); returns how many."""
    return rowcount(session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < before)))
