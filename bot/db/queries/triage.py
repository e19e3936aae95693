"""Triage messages: each waiting customer's one open message in the triage channel, and the waits it lists.

The escalation job sweeps every workspace at once (to_escalate, lock_open), by design, like the alert job.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Customer, CustomerWait, OutboxMessage, TriageMessage
from bot.db.queries._shared import insert_ignoring_conflicts, locked

# The outbox rows of a triage message: its one post, one update per change, and its one escalation.
TRIAGE_POST = "triage"
TRIAGE_UPDATE = "triage-update"
TRIAGE_ESCALATION = "triage-escalation"


def post_key(triage_id: int) -> str:
    """The idempotency key of a triage message's one post."""
    return f"triage:{triage_id}"


def update_key(triage_id: int, version: int) -> str:
    """The idempotency key of one change of a triage message."""
    return f"triage-update:{triage_id}:{version}"


def update_payload(triage_id: int, version: int) -> dict[str, int]:
    """What a triage update row carries: the message and the change it shows (drawn at send time)."""
    return {"triage_id": triage_id, "version": version}


def open_for_customer(
    session: Session, *, team_id: str, customer_id: int, channel_id: str, now: datetime
) -> TriageMessage:
    """The customer's open triage message, opened now (in `channel_id`) unless one is open, locked until commit.

    Two processes alerting the same customer at once open one message: the unique constraint over (team,
    customer, is_open) turns the second INSERT into nothing, and it then reads and locks the first's row.
    """
    insert_ignoring_conflicts(
        session,
        TriageMessage,
        dict(team_id=team_id, customer_id=customer_id, channel_id=channel_id, is_open=True, opened_at=now, version=0),
    )
    statement = (
        select(TriageMessage)
        .where(
            TriageMessage.team_id == team_id,
            TriageMessage.customer_id == customer_id,
            TriageMessage.is_open.is_(True),
        )
        .execution_options(populate_existing=True)
    )
    row = session.scalars(locked(session, statement)).first()
    assert row is not None  # inserted, or held open by another transaction that committed
    return row


def get_locked(session: Session, *, team_id: str, triage_id: int) -> TriageMessage | None:
    """One of the workspace's triage messages, locked until commit."""
    statement = (
        select(TriageMessage)
        .where(TriageMessage.team_id == team_id, TriageMessage.id == triage_id)
        .execution_options(populate_existing=True)
    )
    return session.scalars(locked(session, statement)).first()


def get(session: Session, *, team_id: str, triage_id: int) -> TriageMessage | None:
    """One of the workspace's triage messages."""
    row = session.get(TriageMessage, triage_id)
    return row if row is not None and row.team_id == team_id else None


def waits_of(session: Session, *, team_id: str, triage_id: int) -> Sequence[CustomerWait]:
    """The waits a triage message lists, oldest first."""
    return session.scalars(
        select(CustomerWait)
        .where(CustomerWait.team_id == team_id, CustomerWait.triage_id == triage_id)
        .order_by(CustomerWait.posted_at, CustomerWait.message_ts)
    ).all()


def lock_post(session: Session, *, row_id: int) -> OutboxMessage | None:
    """The outbox row that posts a triage message, locked until commit (a sender claiming it waits, or is waited
    for), so whether it is still to be sent is known for sure."""
    statement = select(OutboxMessage).where(OutboxMessage.id == row_id).execution_options(populate_existing=True)
    return session.scalars(locked(session, statement)).first()


def to_escalate(session: Session, *, limit: int) -> Sequence[int]:
    """Ids of open triage messages nobody claimed and not escalated yet, of every workspace, oldest first."""
    return session.scalars(
        select(TriageMessage.id)
        .where(
            TriageMessage.is_open.is_(True),
            TriageMessage.claimed_by.is_(None),
            TriageMessage.escalated_at.is_(None),
        )
        .order_by(TriageMessage.opened_at)
        .limit(limit)
    ).all()


def lock_open(session: Session, *, ids: Sequence[int]) -> Sequence[TriageMessage]:
    """Those of these triage messages (of any workspace) still open, unclaimed and not escalated, locked until
    commit; on PostgreSQL rows another process holds are skipped."""
    if not ids:
        return []
    statement = (
        select(TriageMessage)
        .where(
            TriageMessage.id.in_(list(ids)),
            TriageMessage.is_open.is_(True),
            TriageMessage.claimed_by.is_(None),
            TriageMessage.escalated_at.is_(None),
        )
        .order_by(TriageMessage.opened_at)
        .execution_options(populate_existing=True)
    )
    return session.scalars(locked(session, statement, skip_locked=True)).all()


def customer_triage(session: Session, *, team_id: str, customer_id: int) -> tuple[str | None, int | None, int | None]:
    """A customer's own (triage channel, first-response target, escalation minutes); None where it has none."""
    row = session.execute(
        select(Customer.triage_channel_id, Customer.first_response_target_minutes, Customer.escalation_minutes).where(
            Customer.team_id == team_id, Customer.id == customer_id
        )
    ).first()
    return (row[0], row[1], row[2]) if row is not None else (None, None, None)


def customer_targets(session: Session, *, team_id: str) -> dict[int, int]:
    """The customers with their own first-response target: customer id to minutes."""
    rows = session.execute(
        select(Customer.id, Customer.first_response_target_minutes).where(
            Customer.team_id == team_id, Customer.first_response_target_minutes.is_not(None)
        )
    )
    return {int(r[0]): int(r[1]) for r in rows if r[1] is not None}


def first_responses(
    session: Session, *, team_id: str, since: datetime, until: datetime
) -> Sequence[tuple[int, datetime, datetime | None]]:
    """(customer, posted at, answered at or None) of the customers' messages posted in [since, until) that waited
    and are settled: answered, or alerted or expired without an answer (still-waiting ones are left out)."""
    rows = session.execute(
        select(CustomerWait.customer_id, CustomerWait.posted_at, CustomerWait.closed_at, CustomerWait.state).where(
            CustomerWait.team_id == team_id,
            CustomerWait.posted_at >= since,
            CustomerWait.posted_at < until,
            CustomerWait.state != "waiting",
        )
    )
    return [(int(r[0]), r[1], r[2] if r[3] == "answered" else None) for r in rows]
