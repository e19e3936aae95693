"""Channels the bot knows: whether it watches them, and the customer each is linked to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.db.models import Channel
from bot.db.queries import workspaces as workspace_rows
from bot.db.queries._shared import dialect_insert, insert_ignoring_conflicts

_CHANNEL_STATES = (
    select(Channel.__table__.c.channel_id, Channel.__table__.c.is_watched, Channel.__table__.c.customer_id)
    .where(Channel.__table__.c.team_id == bindparam("team_id"))
    .where(Channel.__table__.c.channel_id.in_(bindparam("channel_ids", expanding=True)))
)


@cache
def _watch_statement(dialect: str) -> Any:
    table = Channel.__table__
    insert = dialect_insert(dialect)(Channel)
    return insert.on_conflict_do_update(
        index_elements=[table.c.team_id, table.c.channel_id],
        set_={"is_watched": True, "updated_at": insert.excluded.updated_at},
    )


def new_row(*, team_id: str, channel_id: str, is_watched: bool, now: datetime) -> dict[str, Any]:
    """The values of a channel row first seen now, for this module and intake alike."""
    return dict(
        team_id=team_id,
        channel_id=channel_id,
        name="",
        is_watched=is_watched,
        is_shared=False,
        customer_id=None,
        joined_at=None,
        updated_at=now,
    )


def get(session: Session, *, team_id: str, channel_id: str) -> Channel | None:
    """The channel row, if known."""
    return session.get(Channel, (team_id, channel_id))


def upsert(session: Session, *, team_id: str, channel_id: str, now: datetime, **values: Any) -> Channel:
    """Create or update a channel row with the given values."""
    row = session.get(Channel, (team_id, channel_id))
    if row is None:
        insert_ignoring_conflicts(
            session, Channel, new_row(team_id=team_id, channel_id=channel_id, is_watched=False, now=now)
        )
        row = session.get(Channel, (team_id, channel_id))
        assert row is not None
    if any(key in ("is_watched", "customer_id") for key in values):
        workspace_rows.bump_channels_version(session, team_id=team_id)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = now
    return row


def watch(session: Session, *, team_id: str, channel_ids: Sequence[str], now: datetime) -> dict[str, int | None]:
    """Mark channels watched (creating their rows as needed); returns each one's linked customer."""
    wanted = list(dict.fromkeys(channel_ids))
    connection = session.connection()
    rows = connection.execute(_CHANNEL_STATES, {"team_id": team_id, "channel_ids": wanted}).all()
    linked: dict[str, int | None] = {row[0]: row[2] for row in rows}
    stale = [channel_id for channel_id in wanted if channel_id not in linked] + [r[0] for r in rows if not r[1]]
    if stale:
        connection.execute(
            _watch_statement(connection.dialect.name),
            [new_row(team_id=team_id, channel_id=c, is_watched=True, now=now) for c in stale],
        )
        linked.update({c: linked.get(c) for c in stale})
    return linked


def linked_to_customer(session: Session, *, team_id: str, customer_id: int) -> Sequence[str]:
    """Channels linked to the customer."""
    return session.scalars(
        select(Channel.channel_id).where(Channel.team_id == team_id, Channel.customer_id == customer_id)
    ).all()


def customer_links(session: Session, *, team_id: str, channel_ids: Sequence[str]) -> dict[str, int | None]:
    """The customer each channel is linked to now (None when unlinked or unknown)."""
    if not channel_ids:
        return {}
    rows = session.execute(
        select(Channel.channel_id, Channel.customer_id).where(
            Channel.team_id == team_id, Channel.channel_id.in_(list(set(channel_ids)))
        )
    )
    found: dict[str, int | None] = {r[0]: r[1] for r in rows}
    return {c: found.get(c) for c in channel_ids}


def watched_ids(session: Session, *, team_id: str, channel_ids: Sequence[str]) -> set[str]:
    """Which of these channels the bot is a member of, as far as Rapport knows."""
    if not channel_ids:
        return set()
    rows = session.scalars(
        select(Channel.channel_id).where(
            Channel.team_id == team_id, Channel.channel_id.in_(list(set(channel_ids))), Channel.is_watched.is_(True)
        )
    )
    return set(rows)
