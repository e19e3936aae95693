"""Follow-ups: reminders people set (and the check-ins that follow them), and the reminder job's due list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.db.models import FollowUp
from bot.db.queries._shared import locked


def add(session: Session, *, team_id: str, **values: Any) -> FollowUp:
    """Insert a follow-up."""
    row = FollowUp(team_id=team_id, state="open", reminders_sent=0, **values)
    session.add(row)
    session.flush()
    return row


def get(session: Session, *, team_id: str, followup_id: int) -> FollowUp | None:
    """The workspace's follow-up with this id, if any."""
    row = session.get(FollowUp, followup_id)
    return row if row is not None and row.team_id == team_id else None


def open_of_owner(session: Session, *, team_id: str, owner_user_id: str, limit: int) -> Sequence[FollowUp]:
    """A person's open follow-ups, soonest (most overdue) first."""
    return session.scalars(
        select(FollowUp)
        .where(FollowUp.team_id == team_id, FollowUp.owner_user_id == owner_user_id, FollowUp.state == "open")
        .order_by(FollowUp.due_at, FollowUp.id)
        .limit(limit)
    ).all()


def open_where(
    session: Session,
    *,
    team_id: str,
    owner_user_id: str | None,
    customer_id: int | None,
    due_before: datetime | None,
    limit: int,
) -> Sequence[FollowUp]:
    """Open follow-ups of one owner and/or one customer (either may be None: any), due before `due_before` if
    given, soonest (most overdue) first."""
    statement = select(FollowUp).where(FollowUp.team_id == team_id, FollowUp.state == "open")
    if owner_user_id is not None:
        statement = statement.where(FollowUp.owner_user_id == owner_user_id)
    if customer_id is not None:
        statement = statement.where(FollowUp.customer_id == customer_id)
    if due_before is not None:
        statement = statement.where(FollowUp.due_at <= due_before)
    return session.scalars(statement.order_by(FollowUp.due_at, FollowUp.id).limit(limit)).all()


def has_open_from(session: Session, *, team_id: str, created_by: str, channel_id: str, ts: str) -> bool:
    """Whether this person already has an open follow-up made from this message."""
    found = session.scalar(
        select(FollowUp.id)
        .where(
            FollowUp.team_id == team_id,
            FollowUp.created_by == created_by,
            FollowUp.source_channel_id == channel_id,
            FollowUp.source_ts == ts,
            FollowUp.state == "open",
        )
        .limit(1)
    )
    return found is not None


def checkin_of(session: Session, *, team_id: str, followup_id: int) -> FollowUp | None:
    """The check-in made after a done follow-up, if one was."""
    return session.scalar(select(FollowUp).where(FollowUp.team_id == team_id, FollowUp.checkin_of_id == followup_id))


def open_checkin(session: Session, *, team_id: str, customer_id: int, owner_user_id: str) -> FollowUp | None:
    """The owner's earliest open check-in follow-up for the customer, if any."""
    return session.scalar(
        select(FollowUp)
        .where(
            FollowUp.team_id == team_id,
            FollowUp.customer_id == customer_id,
            FollowUp.owner_user_id == owner_user_id,
            FollowUp.kind == "checkin",
            FollowUp.state == "open",
        )
        .order_by(FollowUp.due_at, FollowUp.id)
        .limit(1)
    )


def to_remind(session: Session, *, now: datetime, second_before: datetime, limit: int) -> Sequence[FollowUp]:
    """Open follow-ups of every workspace (the reminder job's sweep) due a first reminder, or a second one (first
    sent before `second_before`), locked.

    On PostgreSQL the rows are locked with SKIP LOCKED, so processes running this at once split the work;
    on SQLite the write transaction (BEGIN IMMEDIATE) already serialises them.
    """
    statement = (
        select(FollowUp)
        .where(
            FollowUp.state == "open",
            FollowUp.due_at <= now,
            or_(
                FollowUp.reminders_sent == 0,
                and_(FollowUp.reminders_sent == 1, FollowUp.last_reminded_at <= second_before),
            ),
        )
        .order_by(FollowUp.due_at, FollowUp.id)
        .limit(limit)
    )
    return session.scalars(locked(session, statement, skip_locked=True)).all()
