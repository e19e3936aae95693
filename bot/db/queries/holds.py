"""Sending holds: a workspace's outbox paused because Slack refused its token, or a scope one method needs.

The sender's own queries (due, all_holds) span workspaces by design: one sender serves them all. So does
all_holds, which /healthz and /metrics read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.orm import Session

from bot.db.models import SendingHold
from bot.db.queries import outbox as outbox_rows
from bot.db.queries._shared import insert_ignoring_conflicts, rowcount

EVERY_METHOD = outbox_rows.EVERY_METHOD


def hold(
    session: Session, *, team_id: str, method: str, reason: str, needed: str | None, now: datetime, retry_at: datetime
) -> bool:
    """Hold the workspace's sending (of `method`, or of every method); True if this is a new hold, False if it was
    already held (then it is only retried later)."""
    added = insert_ignoring_conflicts(
        session,
        SendingHold,
        dict(team_id=team_id, method=method, reason=reason, needed=needed, since=now, retry_at=retry_at, probes=0),
    )
    if not added:
        session.execute(
            update(SendingHold)
            .where(SendingHold.team_id == team_id, SendingHold.method == method)
            .values(retry_at=retry_at, probes=SendingHold.probes + 1)
        )
    return added


def lift(session: Session, *, team_id: str, method: str) -> bool:
    """End a hold; True if there was one."""
    result = session.execute(delete(SendingHold).where(SendingHold.team_id == team_id, SendingHold.method == method))
    return bool(rowcount(result))


def of_workspace(session: Session, *, team_id: str) -> list[SendingHold]:
    """The workspace's holds."""
    return list(session.scalars(select(SendingHold).where(SendingHold.team_id == team_id)))


def due(session: Session, *, now: datetime) -> Sequence[SendingHold]:
    """Holds of every workspace whose time to ask Slack again has come (spans workspaces by design)."""
    return list(session.scalars(select(SendingHold).where(SendingHold.retry_at <= now).order_by(SendingHold.since)))


def retry_all_now(session: Session, *, now: datetime) -> int:
    """Ask Slack again at once about every hold (at start-up: the token or scopes may have been fixed meanwhile);
    spans workspaces by design."""
    return rowcount(session.execute(update(SendingHold).values(retry_at=now)))


def all_holds(connection: Connection) -> list[dict[str, Any]]:
    """Every workspace's holds (their columns by name), for /healthz and /metrics (spans workspaces by design)."""
    table = SendingHold.__table__
    rows = connection.execute(select(table).order_by(table.c.team_id, table.c.method)).all()
    return [dict(row._mapping) for row in rows]
