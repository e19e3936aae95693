"""The outbox: Web API calls queued in the transaction that decided them, sent later by the sender.

The sender's own queries (claim_due, claimed, finish_claimed) span workspaces by design: one sender serves them
all, and addresses a row by its id and its claim. So does count_by_state, which /metrics reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update
from sqlalchemy.orm import Session

from bot.db.models import OutboxMessage, SendingHold
from bot.db.queries._shared import insert_ignoring_conflicts, locked, rowcount

# The lanes: a reply to what a person just did (a tip, a confirmation, a Home tab) is claimed before any bulk row
# (reminders, digests, alerts) that is due, so a 09:00 burst does not keep the person waiting.
INTERACTIVE, BULK = 0, 1
EVERY_METHOD = "*"  # a sending hold's method that holds them all (bot.db.queries.holds)


def new_row(
    *,
    team_id: str,
    kind: str,
    idempotency_key: str,
    method: str,
    payload: dict[str, Any],
    not_before: datetime,
    now: datetime,
    depends_on_id: int | None = None,
    lane: int = BULK,
) -> dict[str, Any]:
    """The values of a new outbox row (pending, never tried), for enqueue and intake alike."""
    return dict(
        team_id=team_id,
        kind=kind,
        lane=lane,
        idempotency_key=idempotency_key,
        method=method,
        payload=payload,
        not_before=not_before,
        state="pending",
        attempts=0,
        created_at=now,
        depends_on_id=depends_on_id,
    )


def enqueue(
    session: Session,
    *,
    team_id: str,
    kind: str,
    idempotency_key: str,
    method: str,
    payload: dict[str, Any],
    not_before: datetime,
    now: datetime,
    depends_on_id: int | None = None,
    lane: int = BULK,
) -> bool:
    """Add an outbox row unless one with the same key exists; True if added. `lane` is INTERACTIVE for a reply to
    what a person just did, else BULK."""
    values = new_row(
        lane=lane,
        team_id=team_id,
        kind=kind,
        idempotency_key=idempotency_key,
        method=method,
        payload=payload,
        not_before=not_before,
        now=now,
        depends_on_id=depends_on_id,
    )
    return insert_ignoring_conflicts(session, OutboxMessage, values)


def get(session: Session, *, team_id: str, row_id: int) -> OutboxMessage | None:
    """One of the workspace's outbox rows."""
    row = session.get(OutboxMessage, row_id)
    return row if row is not None and row.team_id == team_id else None


def by_key(session: Session, *, team_id: str, idempotency_key: str) -> OutboxMessage | None:
    """The outbox row with that idempotency key."""
    return session.scalar(
        select(OutboxMessage).where(OutboxMessage.team_id == team_id, OutboxMessage.idempotency_key == idempotency_key)
    )


def posted(session: Session, *, team_id: str, kind: str, channel_id: str, ts: str) -> OutboxMessage | None:
    """The sent row of this kind that posted the message at (channel, ts), if the bot posted it."""
    return session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.result_channel == channel_id,
            OutboxMessage.result_ts == ts,
            OutboxMessage.kind == kind,
        )
        .limit(1)
    )


def with_key_prefix(session: Session, *, team_id: str, kind: str, prefix: str) -> Sequence[OutboxMessage]:
    """The workspace's rows of one kind whose idempotency key starts with `prefix` (a plain prefix: no % or _)."""
    assert "%" not in prefix and "_" not in prefix, prefix
    return session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.kind == kind,
            OutboxMessage.idempotency_key.like(f"{prefix}%"),
        )
        .order_by(OutboxMessage.id)
    ).all()


def skip_pending(session: Session, *, row_id: int) -> bool:
    """Mark a row not yet claimed as skipped (it will never be sent); False if a sender has it or it is done."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.state == "pending")
        .values(state="skipped")
    )
    return bool(rowcount(result))


def existing_keys(session: Session, *, team_id: str, keys: Sequence[str]) -> set[str]:
    """Which of these idempotency keys already have an outbox row."""
    if not keys:
        return set()
    return set(
        session.scalars(
            select(OutboxMessage.idempotency_key).where(
                OutboxMessage.team_id == team_id, OutboxMessage.idempotency_key.in_(list(set(keys)))
            )
        )
    )


def count_unsent(session: Session, *, team_id: str, kinds: Sequence[str]) -> int:
    """How many of the workspace's rows of these kinds are still pending or being sent."""
    return int(
        session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.team_id == team_id,
                OutboxMessage.kind.in_(list(kinds)),
                OutboxMessage.state.in_(("pending", "sending")),
            )
        )
        or 0
    )


def claim_due(
    session: Session,
    *,
    now: datetime,
    worker: str,
    lease_until: datetime,
    limit: int,
    skip_teams: Sequence[str] = (),
) -> list[int]:
    """Claim due rows of every workspace for one sender: pending ones, and sending ones whose claim lapsed (their
    sender died); the interactive lane first, then by due time. Rows a sending hold covers wait until the hold's
    time to ask Slack again; so do the rows of `skip_teams` (workspaces a 429 holds in this process)."""
    dependency = OutboxMessage.__table__.alias("dependency")
    dependency_ready = or_(
        OutboxMessage.depends_on_id.is_(None),
        select(dependency.c.id)
        .where(dependency.c.id == OutboxMessage.depends_on_id, dependency.c.state.in_(("sent", "failed", "skipped")))
        .exists(),
    )
    due = or_(
        and_(OutboxMessage.state == "pending", OutboxMessage.not_before <= now),
        and_(OutboxMessage.state == "sending", OutboxMessage.claimed_until < now),
    )
    held = (
        select(SendingHold.team_id)
        .where(
            SendingHold.team_id == OutboxMessage.team_id,
            or_(SendingHold.method == EVERY_METHOD, SendingHold.method == OutboxMessage.method),
            SendingHold.retry_at > now,
        )
        .exists()
    )
    query = (
        select(OutboxMessage.id)
        .where(due, dependency_ready, ~held, *([OutboxMessage.team_id.not_in(list(skip_teams))] if skip_teams else []))
        .order_by(OutboxMessage.lane, OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
    )
    ids = list(session.scalars(locked(session, query, skip_locked=True, of=OutboxMessage)))
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(state="sending", claimed_by=worker, claimed_until=lease_until, attempts=OutboxMessage.attempts + 1)
        )
    return ids


def claimed(session: Session, *, row_id: int) -> OutboxMessage | None:
    """A row the sender claimed (by claim_due), whatever its workspace."""
    return session.get(OutboxMessage, row_id)


def finish_claimed(session: Session, *, row_id: int, worker: str, **values: Any) -> bool:
    """Record a sender's result on a row of any workspace, only if the row is still its claim."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.claimed_by == worker, OutboxMessage.state == "sending")
        .values(claimed_by=None, claimed_until=None, **values)
    )
    return bool(rowcount(result))


def count_by_state(connection: Connection) -> dict[str, int]:
    """Rows of every workspace by state, for /metrics (spans workspaces by design)."""
    rows = connection.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all()
    return {str(state): int(count) for state, count in rows}


def release_claims(session: Session, *, worker: str, now: datetime) -> int:
    """Put back every row this sender still holds (it is stopping): pending again, due at once, the claim not
    counted as an attempt. Spans workspaces by design, like the claim."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.claimed_by == worker, OutboxMessage.state == "sending")
        .values(
            state="pending",
            claimed_by=None,
            claimed_until=None,
            not_before=now,
            attempts=OutboxMessage.attempts - 1,
        )
    )
    return rowcount(result)


def backlog(connection: Connection, *, now: datetime) -> list[tuple[str, int, int, datetime]]:
    """(kind, lane, rows, earliest due time) of the rows due by `now` and not yet sent, of every workspace, for
    /metrics."""
    query = (
        select(OutboxMessage.kind, OutboxMessage.lane, func.count(), func.min(OutboxMessage.not_before))
        .where(OutboxMessage.state.in_(("pending", "sending")), OutboxMessage.not_before <= now)
        .group_by(OutboxMessage.kind, OutboxMessage.lane)
    )
    return [(str(kind), int(lane), int(count), oldest) for kind, lane, count, oldest in connection.execute(query)]
