"""Customers' messages waiting for an answer in their linked channels.

Intake records and answers them on the message hot path; the job that DMs owners about unanswered messages
sweeps every workspace at once (waiting, lock_waiting), by design.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, select, tuple_
from sqlalchemy.orm import Session

from bot.db.models import Customer, CustomerWait
from bot.db.queries._shared import locked, rowcount

WaitKey = tuple[str, str, str]  # (team_id, channel_id, message_ts)


def new_row(
    *, team_id: str, channel_id: str, message_ts: str, customer_id: int, user_id: str, posted_at: datetime
) -> dict[str, Any]:
    """The values of a customer's message now waiting for an answer, for intake."""
    return dict(
        team_id=team_id,
        channel_id=channel_id,
        message_ts=message_ts,
        customer_id=customer_id,
        user_id=user_id,
        posted_at=posted_at,
        state="waiting",
    )


def waiting(session: Session, *, limit: int) -> Sequence[tuple[WaitKey, datetime]]:
    """(key, posted at) of customers' messages still waiting for an answer, oldest first, in every workspace."""
    rows = session.execute(
        select(CustomerWait.team_id, CustomerWait.channel_id, CustomerWait.message_ts, CustomerWait.posted_at)
        .where(CustomerWait.state == "waiting")
        .order_by(CustomerWait.posted_at)
        .limit(limit)
    )
    return [((r[0], r[1], r[2]), r[3]) for r in rows]


def lock_waiting(session: Session, *, keys: Sequence[WaitKey]) -> Sequence[CustomerWait]:
    """Those of these waits (of any workspace: each key holds its team) still waiting, locked until commit; on
    PostgreSQL rows another process holds are skipped.

    SQLite's write transaction (BEGIN IMMEDIATE) already keeps other processes out.
    """
    if not keys:
        return []
    key = tuple_(CustomerWait.team_id, CustomerWait.channel_id, CustomerWait.message_ts)
    statement = (
        select(CustomerWait)
        .where(key.in_(list(keys)), CustomerWait.state == "waiting")
        .order_by(CustomerWait.posted_at)
        .execution_options(populate_existing=True)
    )
    return session.scalars(locked(session, statement, skip_locked=True)).all()


def delete_of_message(session: Session, *, team_id: str, channel_id: str, message_ts: str) -> int:
    """Forget a customer's message as waiting (it was deleted)."""
    result = session.execute(
        delete(CustomerWait).where(
            CustomerWait.team_id == team_id,
            CustomerWait.channel_id == channel_id,
            CustomerWait.message_ts == message_ts,
        )
    )
    return rowcount(result)


def owners_with_backups(session: Session, *, limit: int) -> Sequence[tuple[str, str]]:
    """(team_id, owner) of the customers with a backup owner that have a message waiting, in every workspace: the
    owners the alert job looks at (services.away)."""
    rows = session.execute(
        select(CustomerWait.team_id, Customer.owner_user_id)
        .join(Customer, and_(Customer.team_id == CustomerWait.team_id, Customer.id == CustomerWait.customer_id))
        .where(
            CustomerWait.state == "waiting",
            Customer.backup_user_id.is_not(None),
            Customer.backup_user_id != Customer.owner_user_id,
        )
        .distinct()
        .limit(limit)
    )
    return [(r[0], r[1]) for r in rows]
