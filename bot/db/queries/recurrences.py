"""Recurrences: the rhythms of repeating follow-ups, their open occurrence, and the job's list of those to roll on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import FollowUp, Recurrence
from bot.db.queries._shared import locked


def add(session: Session, *, team_id: str, **values: Any) -> Recurrence:
    """Insert a rhythm."""
    row = Recurrence(team_id=team_id, **values)
    session.add(row)
    session.flush()
    return row


def get_locked(session: Session, *, team_id: str, recurrence_id: int) -> Recurrence | None:
    """The workspace's rhythm with this id, locked until commit (a Done click and the job never both plan)."""
    statement = select(Recurrence).where(Recurrence.team_id == team_id, Recurrence.id == recurrence_id)
    return session.scalar(locked(session, statement))


def to_roll(session: Session, *, now: datetime, limit: int) -> Sequence[Recurrence]:
    """Running rhythms (every workspace) whose next occurrence has come, locked (SKIP LOCKED on PostgreSQL)."""
    statement = (
        select(Recurrence)
        .where(Recurrence.stopped_at.is_(None), Recurrence.next_due <= now)
        .order_by(Recurrence.next_due, Recurrence.id)
        .limit(limit)
    )
    return session.scalars(locked(session, statement, skip_locked=True)).all()


def open_occurrences(session: Session, *, team_id: str, recurrence_id: int) -> Sequence[FollowUp]:
    """A rhythm's open occurrences (one at most, unless a click and the job raced on SQLite)."""
    return session.scalars(
        select(FollowUp)
        .where(FollowUp.team_id == team_id, FollowUp.recurrence_id == recurrence_id, FollowUp.state == "open")
        .order_by(FollowUp.due_at, FollowUp.id)
    ).all()


def running_of_customer(session: Session, *, team_id: str, customer_id: int) -> Sequence[Recurrence]:
    """A customer's rhythms that still repeat, oldest first."""
    return session.scalars(
        select(Recurrence)
        .where(
            Recurrence.team_id == team_id,
            Recurrence.customer_id == customer_id,
            Recurrence.stopped_at.is_(None),
        )
        .order_by(Recurrence.id)
    ).all()
