"""Mentions: one row per customer named in a message, with its excerpt while retention keeps it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.db.models import Mention
from bot.db.queries._shared import check_team, dialect_insert, rowcount


@cache
def _add_statement(dialect: str) -> Any:
    columns = (Mention.channel_id, Mention.message_ts, Mention.customer_id)
    return dialect_insert(dialect)(Mention).on_conflict_do_nothing().returning(*columns)


def new_row(
    *,
    team_id: str,
    customer_id: int,
    channel_id: str,
    message_ts: str,
    thread_ts: str | None,
    user_id: str,
    mentioned_at: datetime,
    excerpt: str | None,
) -> dict[str, Any]:
    """The values of a mention row, for this module and intake alike."""
    return dict(
        team_id=team_id,
        customer_id=customer_id,
        channel_id=channel_id,
        message_ts=message_ts,
        thread_ts=thread_ts,
        user_id=user_id,
        mentioned_at=mentioned_at,
        excerpt=excerpt,
    )


def of_message(session: Session, *, team_id: str, channel_id: str, message_ts: str) -> Sequence[Mention]:
    """The mentions recorded for one message."""
    return session.scalars(
        select(Mention).where(
            Mention.team_id == team_id, Mention.channel_id == channel_id, Mention.message_ts == message_ts
        )
    ).all()


def add(session: Session, *, team_id: str, rows: Sequence[Mapping[str, Any]]) -> set[tuple[str, str, int]]:
    """Insert the workspace's mentions (rows from new_row), skipping ones already stored; returns (channel, ts,
    customer) of the new ones."""
    if not rows:
        return set()
    check_team(team_id, rows)
    connection = session.connection()
    statement = _add_statement(connection.dialect.name)
    return {(row[0], row[1], row[2]) for row in connection.execute(statement, list(rows))}


def delete_by_ids(session: Session, *, team_id: str, ids: Sequence[int]) -> int:
    """Delete mentions by id."""
    if not ids:
        return 0
    return rowcount(session.execute(delete(Mention).where(Mention.team_id == team_id, Mention.id.in_(ids))))


def delete_of_message(session: Session, *, team_id: str, channel_id: str, message_ts: str) -> int:
    """Delete every mention of a deleted message."""
    result = session.execute(
        delete(Mention).where(
            Mention.team_id == team_id, Mention.channel_id == channel_id, Mention.message_ts == message_ts
        )
    )
    return rowcount(result)


def latest_of_customer(session: Session, *, team_id: str, customer_id: int, limit: int) -> Sequence[Mention]:
    """The customer's most recent mentions."""
    return session.scalars(
        select(Mention)
        .where(Mention.team_id == team_id, Mention.customer_id == customer_id)
        .order_by(Mention.mentioned_at.desc(), Mention.id.desc())
        .limit(limit)
    ).all()


def excerpt_of(session: Session, *, team_id: str, customer_id: int, channel_id: str, message_ts: str) -> str | None:
    """The stored excerpt of a message mentioning a customer (None once expired or never stored)."""
    return session.scalar(
        select(Mention.excerpt).where(
            Mention.team_id == team_id,
            Mention.customer_id == customer_id,
            Mention.channel_id == channel_id,
            Mention.message_ts == message_ts,
        )
    )


def count(session: Session, *, team_id: str) -> int:
    """How many mentions the workspace has recorded."""
    return int(session.scalar(select(func.count(Mention.id)).where(Mention.team_id == team_id)) or 0)
