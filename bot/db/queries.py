"""Every query Rapport makes. Functions take `session` keyword-only, filter by team_id, never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from bot.db.models import (
    Channel,
    Customer,
    CustomerName,
    Mention,
    OutboxMessage,
    ProcessedEvent,
    Workspace,
    WorkspaceSettings,
)


def _dialect_insert(session: Session) -> Any:
    """The INSERT construct with ON CONFLICT support for the session's database."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _insert_ignoring_conflicts(session: Session, model: type[Any], values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True if a row was inserted."""
    ins = _dialect_insert(session)
    # RETURNING tells exactly whether a row went in; psycopg's rowcount is -1 here.
    key = next(iter(model.__table__.primary_key.columns))
    statement = ins(model).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(statement).first() is not None


# --- workspaces -------------------------------------------------------------------------------------------


def ensure_workspace(session: Session, *, team_id: str, now: datetime) -> Workspace:
    """The workspace row, created with default settings the first time a team is seen."""
    workspace = session.get(Workspace, team_id)
    if workspace is not None:
        return workspace
    inserted = _insert_ignoring_conflicts(
        session,
        Workspace,
        dict(team_id=team_id, name="", url="", bot_user_id="", bot_id="", directory_version=0,
             created_at=now, updated_at=now),
    )  # fmt: skip
    if inserted:
        _insert_ignoring_conflicts(session, WorkspaceSettings, dict(team_id=team_id, updated_at=now))
    workspace = session.get(Workspace, team_id)
    assert workspace is not None
    return workspace


def update_workspace_identity(
    session: Session, *, team_id: str, name: str, url: str, bot_user_id: str, bot_id: str, now: datetime
) -> None:
    """Store what auth.test says about the workspace and the bot."""
    workspace = ensure_workspace(session, team_id=team_id, now=now)
    workspace.name, workspace.url = name, url
    workspace.bot_user_id, workspace.bot_id = bot_user_id, bot_id
    workspace.updated_at = now


def workspace(session: Session, *, team_id: str) -> Workspace | None:
    """The workspace row, if the team is known."""
    return session.get(Workspace, team_id)


def directory_version(session: Session, *, team_id: str) -> int:
    """The workspace's directory version (0 for an unknown team)."""
    version = session.scalar(select(Workspace.directory_version).where(Workspace.team_id == team_id))
    return version or 0


def bump_directory_version(session: Session, *, team_id: str) -> None:
    """Mark the customer directory changed, for every process's matcher cache."""
    session.execute(
        update(Workspace).where(Workspace.team_id == team_id).values(directory_version=Workspace.directory_version + 1)
    )


# --- events -----------------------------------------------------------------------------------------------


def claim_event(session: Session, *, team_id: str, event_id: str, now: datetime) -> bool:
    """Record an event id; False if it was already processed (a Slack retry)."""
    return _insert_ignoring_conflicts(
        session, ProcessedEvent, dict(team_id=team_id, event_id=event_id, received_at=now)
    )


def claim_events(session: Session, *, keys: Sequence[tuple[str, str]], now: datetime) -> set[tuple[str, str]]:
    """Record many (team, event id) pairs at once; returns the ones not seen before."""
    if not keys:
        return set()
    table = ProcessedEvent.__table__
    # Core on the session's connection, with executemany parameters: compiled once, no ORM bulk machinery.
    statement = _dialect_insert(session)(table).on_conflict_do_nothing().returning(table.c.team_id, table.c.event_id)
    params = [{"team_id": team, "event_id": event, "received_at": now} for team, event in dict.fromkeys(keys)]
    return {(row[0], row[1]) for row in session.connection().execute(statement, params)}


def prune_processed_events(session: Session, *, before: datetime) -> int:
    """Forget event ids older than Slack's retry window; returns how many."""
    result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < before))
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- customers --------------------------------------------------------------------------------------------


def all_customer_names(session: Session, *, team_id: str) -> Sequence[tuple[int, str]]:
    """Every (customer id, name or alias) of the workspace."""
    rows = session.execute(select(CustomerName.customer_id, CustomerName.name).where(CustomerName.team_id == team_id))
    return [(r[0], r[1]) for r in rows]


def customer_by_name_key(session: Session, *, team_id: str, name_key: str) -> Customer | None:
    """The customer whose name or alias normalizes to name_key."""
    return session.scalar(
        select(Customer)
        .join(CustomerName, and_(CustomerName.customer_id == Customer.id, CustomerName.team_id == Customer.team_id))
        .where(CustomerName.team_id == team_id, CustomerName.name_key == name_key)
        .options(selectinload(Customer.names))
    )


def customers_by_name_prefix(session: Session, *, team_id: str, name_key: str, limit: int) -> Sequence[Customer]:
    """Customers with a name or alias having a word that starts with name_key."""
    escaped = name_key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    ids = (
        select(CustomerName.customer_id)
        .where(
            CustomerName.team_id == team_id,
            or_(
                CustomerName.name_key.like(f"{escaped}%", escape="\\"),
                CustomerName.name_key.like(f"% {escaped}%", escape="\\"),
            ),
        )
        .distinct()
        .limit(limit)
    )
    return session.scalars(
        select(Customer)
        .where(Customer.team_id == team_id, Customer.id.in_(ids))
        .options(selectinload(Customer.names))
        .order_by(Customer.name)
    ).all()


def name_owner(session: Session, *, team_id: str, name_key: str) -> str | None:
    """The display name of the customer already using name_key, if any."""
    return session.scalar(
        select(Customer.name)
        .join(CustomerName, and_(CustomerName.customer_id == Customer.id, CustomerName.team_id == Customer.team_id))
        .where(CustomerName.team_id == team_id, CustomerName.name_key == name_key)
    )


def add_customer(
    session: Session,
    *,
    team_id: str,
    name: str,
    names: Sequence[tuple[str, str, bool]],
    owner_user_id: str,
    since: Any,
    created_by: str,
    now: datetime,
) -> Customer:
    """Insert a customer with its (name, key, is_primary) names."""
    customer = Customer(
        team_id=team_id, name=name, owner_user_id=owner_user_id, since=since, notes="",
        created_by=created_by, created_at=now,
    )  # fmt: skip
    session.add(customer)
    session.flush()
    for display, key, primary in names:
        session.add(CustomerName(team_id=team_id, customer_id=customer.id, name=display, name_key=key,
                                 is_primary=primary))  # fmt: skip
    session.flush()
    bump_directory_version(session, team_id=team_id)
    return customer


def add_customer_name(session: Session, *, customer: Customer, name: str, name_key: str) -> None:
    """Give a customer one more alias."""
    session.add(CustomerName(team_id=customer.team_id, customer_id=customer.id, name=name, name_key=name_key,
                             is_primary=False))  # fmt: skip
    session.flush()
    bump_directory_version(session, team_id=customer.team_id)


def remove_customer(session: Session, *, customer: Customer) -> int:
    """Delete a customer, its names and mentions; unlink its channels. Returns the mention count removed."""
    team_id = customer.team_id
    mentions = session.execute(delete(Mention).where(Mention.team_id == team_id, Mention.customer_id == customer.id))
    session.execute(
        update(Channel).where(Channel.team_id == team_id, Channel.customer_id == customer.id).values(customer_id=None)
    )
    session.delete(customer)  # its names go with it (ON DELETE CASCADE)
    session.flush()
    bump_directory_version(session, team_id=team_id)
    return int(mentions.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CustomerRow:
    """A customer with its last touch, for lists."""

    customer: Customer
    last_touch: datetime | None
    mention_count: int


def customers_quietest_first(session: Session, *, team_id: str, limit: int) -> Sequence[CustomerRow]:
    """Customers ordered by last touch, never-touched first."""
    touches = (
        select(
            Mention.customer_id.label("customer_id"),
            func.max(Mention.mentioned_at).label("last_touch"),
            func.count(Mention.id).label("mentions"),
        )
        .where(Mention.team_id == team_id)
        .group_by(Mention.customer_id)
        .subquery()
    )
    rows = session.execute(
        select(Customer, touches.c.last_touch, touches.c.mentions)
        .outerjoin(touches, touches.c.customer_id == Customer.id)
        .where(Customer.team_id == team_id)
        .order_by(touches.c.last_touch.is_not(None), touches.c.last_touch, Customer.name)
        .limit(limit)
    ).all()
    return [CustomerRow(customer=r[0], last_touch=r[1], mention_count=r[2] or 0) for r in rows]


def count_customers(session: Session, *, team_id: str) -> int:
    """How many customers the workspace has."""
    return int(session.scalar(select(func.count(Customer.id)).where(Customer.team_id == team_id)) or 0)


def last_touch(session: Session, *, team_id: str, customer_id: int) -> datetime | None:
    """The customer's most recent mention time."""
    return session.scalar(
        select(func.max(Mention.mentioned_at)).where(Mention.team_id == team_id, Mention.customer_id == customer_id)
    )


def latest_mentions(session: Session, *, team_id: str, customer_id: int, limit: int) -> Sequence[Mention]:
    """The customer's most recent mentions."""
    return session.scalars(
        select(Mention)
        .where(Mention.team_id == team_id, Mention.customer_id == customer_id)
        .order_by(Mention.mentioned_at.desc(), Mention.id.desc())
        .limit(limit)
    ).all()


def linked_channels(session: Session, *, team_id: str, customer_id: int) -> Sequence[str]:
    """Channels linked to the customer."""
    return session.scalars(
        select(Channel.channel_id).where(Channel.team_id == team_id, Channel.customer_id == customer_id)
    ).all()


# --- channels ---------------------------------------------------------------------------------------------


def channel(session: Session, *, team_id: str, channel_id: str) -> Channel | None:
    """The channel row, if known."""
    return session.get(Channel, (team_id, channel_id))


def upsert_channel(session: Session, *, team_id: str, channel_id: str, now: datetime, **values: Any) -> Channel:
    """Create or update a channel row with the given values."""
    row = session.get(Channel, (team_id, channel_id))
    if row is None:
        _insert_ignoring_conflicts(
            session,
            Channel,
            dict(
                team_id=team_id, channel_id=channel_id, name="", is_watched=False, is_shared=False, updated_at=now
            ),  # fmt: skip
        )
        row = session.get(Channel, (team_id, channel_id))
        assert row is not None
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = now
    return row


def watch_channels(
    session: Session, *, team_id: str, channel_ids: Sequence[str], now: datetime
) -> dict[str, int | None]:
    """Mark channels watched (creating their rows as needed); returns each one's linked customer."""
    table = Channel.__table__
    wanted = list(dict.fromkeys(channel_ids))
    connection = session.connection()
    rows = connection.execute(
        select(table.c.channel_id, table.c.is_watched, table.c.customer_id).where(
            table.c.team_id == team_id, table.c.channel_id.in_(wanted)
        )
    ).all()
    linked: dict[str, int | None] = {row[0]: row[2] for row in rows}
    stale = [channel_id for channel_id in wanted if channel_id not in linked] + [r[0] for r in rows if not r[1]]
    if stale:
        statement = _dialect_insert(session)(table)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.team_id, table.c.channel_id],
            set_={"is_watched": True, "updated_at": statement.excluded.updated_at},
        )
        connection.execute(
            statement,
            [
                dict(
                    team_id=team_id,
                    channel_id=c,
                    name="",
                    is_watched=True,
                    is_shared=False,
                    customer_id=None,
                    joined_at=None,
                    updated_at=now,
                )
                for c in stale
            ],  # fmt: skip
        )
        linked.update({c: linked.get(c) for c in stale})
    return linked


# --- mentions ---------------------------------------------------------------------------------------------


def mentions_of_message(session: Session, *, team_id: str, channel_id: str, message_ts: str) -> Sequence[Mention]:
    """The mentions recorded for one message."""
    return session.scalars(
        select(Mention).where(
            Mention.team_id == team_id, Mention.channel_id == channel_id, Mention.message_ts == message_ts
        )
    ).all()


def add_mentions(session: Session, *, rows: Sequence[dict[str, Any]]) -> set[tuple[str, str, int]]:
    """Insert many mentions, skipping ones already stored; returns (channel, ts, customer) of the new ones."""
    if not rows:
        return set()
    table = Mention.__table__
    statement = (
        _dialect_insert(session)(table)
        .on_conflict_do_nothing()
        .returning(table.c.channel_id, table.c.message_ts, table.c.customer_id)
    )
    return {(row[0], row[1], row[2]) for row in session.connection().execute(statement, list(rows))}


def delete_mentions(session: Session, *, team_id: str, ids: Sequence[int]) -> int:
    """Delete mentions by id."""
    if not ids:
        return 0
    result = session.execute(delete(Mention).where(Mention.team_id == team_id, Mention.id.in_(ids)))
    return int(result.rowcount)  # type: ignore[attr-defined]


def delete_message_mentions(session: Session, *, team_id: str, channel_id: str, message_ts: str) -> int:
    """Delete every mention of a deleted message."""
    result = session.execute(
        delete(Mention).where(
            Mention.team_id == team_id, Mention.channel_id == channel_id, Mention.message_ts == message_ts
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- outbox -----------------------------------------------------------------------------------------------


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
) -> bool:
    """Add an outbox row unless one with the same key exists; True if added."""
    return _insert_ignoring_conflicts(
        session,
        OutboxMessage,
        dict(team_id=team_id, kind=kind, idempotency_key=idempotency_key, method=method, payload=payload,
             not_before=not_before, state="pending", attempts=0, created_at=now, depends_on_id=depends_on_id),
    )  # fmt: skip


def claim_outbox(session: Session, *, now: datetime, worker: str, lease_until: datetime, limit: int) -> list[int]:
    """Claim due rows for one sender: pending ones, and sending ones whose claim lapsed (their sender died)."""
    dependency = OutboxMessage.__table__.alias("dependency")
    dependency_ready = or_(
        OutboxMessage.depends_on_id.is_(None),
        select(dependency.c.id)
        .where(dependency.c.id == OutboxMessage.depends_on_id, dependency.c.state.in_(("sent", "failed")))
        .exists(),
    )
    due = or_(
        and_(OutboxMessage.state == "pending", OutboxMessage.not_before <= now),
        and_(OutboxMessage.state == "sending", OutboxMessage.claimed_until < now),
    )
    query = (
        select(OutboxMessage.id)
        .where(due, dependency_ready)
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=OutboxMessage)
    ids = list(session.scalars(query))
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(
                state="sending", claimed_by=worker, claimed_until=lease_until, attempts=OutboxMessage.attempts + 1
            )  # fmt: skip
        )
    return ids


def outbox_row(session: Session, *, row_id: int) -> OutboxMessage | None:
    """One outbox row."""
    return session.get(OutboxMessage, row_id)


def finish_outbox(session: Session, *, row_id: int, worker: str, **values: Any) -> bool:
    """Record a sender's result, only if the row is still its claim."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.claimed_by == worker, OutboxMessage.state == "sending")
        .values(claimed_by=None, claimed_until=None, **values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def outbox_by_key(session: Session, *, team_id: str, idempotency_key: str) -> OutboxMessage | None:
    """The outbox row with that idempotency key."""
    return session.scalar(
        select(OutboxMessage).where(OutboxMessage.team_id == team_id, OutboxMessage.idempotency_key == idempotency_key)
    )
