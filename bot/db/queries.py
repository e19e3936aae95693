"""Every query Rapport makes. Functions take `session` keyword-only, filter by team_id, never commit.

The exception is the path every new message takes, which runs on the driver's connection: see intake.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, true, tuple_, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from bot.db.models import (
    Channel,
    Customer,
    CustomerName,
    CustomerWait,
    FollowUp,
    Mention,
    Nudge,
    NudgeCooldown,
    OutboxMessage,
    ProcessedEvent,
    SettingsChange,
    Story,
    StoryCredit,
    StoryRecognition,
    UserProfile,
    UserSettings,
    Workspace,
    WorkspaceSettings,
)


def _dialect_insert(session: Session) -> Any:
    """The INSERT construct with ON CONFLICT support for the session's database."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


@cache
def _add_mentions_statement(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    columns = (Mention.channel_id, Mention.message_ts, Mention.customer_id)
    return insert(Mention).on_conflict_do_nothing().returning(*columns)


@cache
def _watch_channels_statement(dialect: str) -> Any:
    table = Channel.__table__
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(Channel)
    return insert.on_conflict_do_update(
        index_elements=[table.c.team_id, table.c.channel_id],
        set_={"is_watched": True, "updated_at": insert.excluded.updated_at},
    )


_TEAM_VERSIONS = select(
    Workspace.__table__.c.directory_version,
    Workspace.__table__.c.channels_version,
    Workspace.__table__.c.settings_version,
).where(Workspace.__table__.c.team_id == bindparam("team_id"))
_CHANNEL_STATES = (
    select(Channel.__table__.c.channel_id, Channel.__table__.c.is_watched, Channel.__table__.c.customer_id)
    .where(Channel.__table__.c.team_id == bindparam("team_id"))
    .where(Channel.__table__.c.channel_id.in_(bindparam("channel_ids", expanding=True)))
)
_CUSTOMER_NAMES = select(CustomerName.__table__.c.customer_id, CustomerName.__table__.c.name).where(
    CustomerName.__table__.c.team_id == bindparam("team_id")
)


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


def bump_channels_version(session: Session, *, team_id: str) -> None:
    """Mark a channel's watched flag or linked customer changed, for every process's channel cache."""
    session.execute(
        update(Workspace).where(Workspace.team_id == team_id).values(channels_version=Workspace.channels_version + 1)
    )


def team_versions(session: Session, *, team_id: str) -> tuple[int, int, int]:
    """(directory, channels, settings) versions of the workspace; all 0 for an unknown team."""
    row = session.connection().execute(_TEAM_VERSIONS, {"team_id": team_id}).first()
    return (int(row[0]), int(row[1]), int(row[2])) if row is not None else (0, 0, 0)


def bump_settings_version(session: Session, *, team_id: str) -> None:
    """Mark the workspace's settings changed, for every process's cached nudge settings."""
    session.execute(
        update(Workspace).where(Workspace.team_id == team_id).values(settings_version=Workspace.settings_version + 1)
    )


# --- events -----------------------------------------------------------------------------------------------


def claim_event(session: Session, *, team_id: str, event_id: str, now: datetime) -> bool:
    """Record an event id; False if it was already processed (a Slack retry)."""
    return _insert_ignoring_conflicts(
        session, ProcessedEvent, dict(team_id=team_id, event_id=event_id, received_at=now)
    )


def prune_processed_events(session: Session, *, before: datetime) -> int:
    """Forget event ids older than Slack's retry window; returns how many."""
    result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < before))
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- customers --------------------------------------------------------------------------------------------


def all_customer_names(session: Session, *, team_id: str) -> Sequence[tuple[int, str]]:
    """Every (customer id, name or alias) of the workspace."""
    return [(r[0], r[1]) for r in session.connection().execute(_CUSTOMER_NAMES, {"team_id": team_id})]


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


def _touches(team_id: str) -> Any:
    """Every customer's last touch (a mention, a follow-up done, or a story about them), as a subquery."""
    each = union_all(
        select(Mention.customer_id.label("customer_id"), Mention.mentioned_at.label("at")).where(
            Mention.team_id == team_id
        ),
        select(FollowUp.customer_id, FollowUp.closed_at).where(
            FollowUp.team_id == team_id, FollowUp.state == "done", FollowUp.customer_id.is_not(None)
        ),
        select(Story.customer_id, Story.created_at).where(Story.team_id == team_id, Story.customer_id.is_not(None)),
    ).subquery()
    return select(each.c.customer_id, func.max(each.c.at).label("last_touch")).group_by(each.c.customer_id).subquery()


def customers_quietest_first(
    session: Session, *, team_id: str, limit: int, owner_user_id: str | None = None
) -> Sequence[CustomerRow]:
    """Customers (all, or one owner's) ordered by last touch, never-touched first."""
    touches = _touches(team_id)
    mentions = (
        select(Mention.customer_id.label("customer_id"), func.count(Mention.id).label("mentions"))
        .where(Mention.team_id == team_id)
        .group_by(Mention.customer_id)
        .subquery()
    )
    rows = session.execute(
        select(Customer, touches.c.last_touch, mentions.c.mentions)
        .outerjoin(touches, touches.c.customer_id == Customer.id)
        .outerjoin(mentions, mentions.c.customer_id == Customer.id)
        .where(Customer.team_id == team_id)
        .where(true() if owner_user_id is None else Customer.owner_user_id == owner_user_id)
        .order_by(touches.c.last_touch.is_not(None), touches.c.last_touch, Customer.name)
        .limit(limit)
    ).all()
    return [CustomerRow(customer=r[0], last_touch=r[1], mention_count=r[2] or 0) for r in rows]


def count_customers(session: Session, *, team_id: str) -> int:
    """How many customers the workspace has."""
    return int(session.scalar(select(func.count(Customer.id)).where(Customer.team_id == team_id)) or 0)


def last_touch(session: Session, *, team_id: str, customer_id: int) -> datetime | None:
    """The customer's most recent touch: a mention, a follow-up done, or a story about them."""
    touches = _touches(team_id)
    return session.scalar(select(touches.c.last_touch).where(touches.c.customer_id == customer_id))


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
    if any(key in ("is_watched", "customer_id") for key in values):
        bump_channels_version(session, team_id=team_id)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = now
    return row


def watch_channels(
    session: Session, *, team_id: str, channel_ids: Sequence[str], now: datetime
) -> dict[str, int | None]:
    """Mark channels watched (creating their rows as needed); returns each one's linked customer."""
    wanted = list(dict.fromkeys(channel_ids))
    connection = session.connection()
    rows = connection.execute(_CHANNEL_STATES, {"team_id": team_id, "channel_ids": wanted}).all()
    linked: dict[str, int | None] = {row[0]: row[2] for row in rows}
    stale = [channel_id for channel_id in wanted if channel_id not in linked] + [r[0] for r in rows if not r[1]]
    if stale:
        connection.execute(
            _watch_channels_statement(connection.dialect.name),
            [dict(team_id=team_id, channel_id=c, name="", is_watched=True, is_shared=False, customer_id=None,
                  joined_at=None, updated_at=now) for c in stale],
        )  # fmt: skip
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
    connection = session.connection()
    statement = _add_mentions_statement(connection.dialect.name)
    return {(row[0], row[1], row[2]) for row in connection.execute(statement, list(rows))}


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
        .where(dependency.c.id == OutboxMessage.depends_on_id, dependency.c.state.in_(("sent", "failed", "skipped")))
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


# --- settings and profiles --------------------------------------------------------------------------------


def workspace_settings(session: Session, *, team_id: str, now: datetime) -> WorkspaceSettings:
    """The workspace's settings row (created with the spec's defaults if missing)."""
    row = session.get(WorkspaceSettings, team_id)
    if row is None:
        ensure_workspace(session, team_id=team_id, now=now)
        row = session.get(WorkspaceSettings, team_id)
    assert row is not None
    return row


def user_profile(session: Session, *, team_id: str, user_id: str) -> UserProfile | None:
    """The cached Slack profile of a user, if fetched before."""
    return session.get(UserProfile, (team_id, user_id))


def save_user_profile(session: Session, *, team_id: str, user_id: str, now: datetime, **values: Any) -> None:
    """Store what users.info said about a user."""
    row = session.get(UserProfile, (team_id, user_id))
    if row is None:
        _insert_ignoring_conflicts(session, UserProfile, dict(team_id=team_id, user_id=user_id, fetched_at=now))
        row = session.get(UserProfile, (team_id, user_id))
        assert row is not None
    for key, value in values.items():
        setattr(row, key, value)
    row.fetched_at = now


def profile_timezones(session: Session, *, team_id: str, user_ids: Sequence[str]) -> dict[str, str]:
    """Cached timezones of several users (those never fetched are missing)."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(UserProfile.user_id, UserProfile.tz).where(
            UserProfile.team_id == team_id, UserProfile.user_id.in_(list(set(user_ids)))
        )
    )
    return {r[0]: r[1] for r in rows}


def user_nudges_enabled(session: Session, *, team_id: str, user_id: str) -> bool:
    """Whether a person wants tone tips (yes, unless they turned them off)."""
    row = session.get(UserSettings, (team_id, user_id))
    return True if row is None else row.nudges_enabled


def set_user_nudges(session: Session, *, team_id: str, user_id: str, enabled: bool, now: datetime) -> None:
    """Turn a person's tone tips on or off."""
    row = session.get(UserSettings, (team_id, user_id))
    if row is None:
        _insert_ignoring_conflicts(
            session, UserSettings, dict(team_id=team_id, user_id=user_id, nudges_enabled=enabled, updated_at=now)
        )
        row = session.get(UserSettings, (team_id, user_id))
        assert row is not None
    row.nudges_enabled, row.updated_at = enabled, now


def set_nudge_response(
    session: Session, *, team_id: str, user_id: str, channel_id: str, message_ts: str, response: str
) -> None:
    """Record what the author did with the tip about one of their messages."""
    session.execute(
        update(Nudge)
        .where(Nudge.team_id == team_id, Nudge.user_id == user_id, Nudge.channel_id == channel_id,
               Nudge.message_ts == message_ts)
        .values(response=response)
    )  # fmt: skip


def count_nudges(session: Session, *, team_id: str, since: datetime, until: datetime) -> dict[str, int]:
    """How many tips were shown in a period, by category (counts only: never who, never what)."""
    rows = session.execute(
        select(Nudge.category, func.count())
        .where(Nudge.team_id == team_id, Nudge.created_at >= since, Nudge.created_at < until)
        .group_by(Nudge.category)
    )
    return {str(category): int(count) for category, count in rows}


def add_settings_changes(session: Session, *, rows: Sequence[dict[str, Any]]) -> None:
    """Record changed settings: who, when, what, from what to what."""
    for row in rows:
        session.add(SettingsChange(**row))


def settings_changes(session: Session, *, team_id: str, limit: int) -> Sequence[SettingsChange]:
    """The workspace's latest settings changes, newest first."""
    return session.scalars(
        select(SettingsChange)
        .where(SettingsChange.team_id == team_id)
        .order_by(SettingsChange.changed_at.desc(), SettingsChange.id.desc())
        .limit(limit)
    ).all()


def watched_channel_ids(session: Session, *, team_id: str, channel_ids: Sequence[str]) -> set[str]:
    """Which of these channels the bot is a member of, as far as Rapport knows."""
    if not channel_ids:
        return set()
    rows = session.scalars(
        select(Channel.channel_id).where(
            Channel.team_id == team_id, Channel.channel_id.in_(list(set(channel_ids))), Channel.is_watched.is_(True)
        )
    )
    return set(rows)


# --- privacy ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Forgotten:
    """What forget-me removed."""

    excerpts: int
    nudges: int
    settings: int


def forget_user(session: Session, *, team_id: str, user_id: str) -> Forgotten:
    """Remove a person's excerpts, nudge history and personal settings (mentions keep their metadata)."""
    excerpts = session.execute(
        update(Mention)
        .where(Mention.team_id == team_id, Mention.user_id == user_id, Mention.excerpt.is_not(None))
        .values(excerpt=None)
    )
    nudges = session.execute(delete(Nudge).where(Nudge.team_id == team_id, Nudge.user_id == user_id))
    session.execute(delete(NudgeCooldown).where(NudgeCooldown.team_id == team_id, NudgeCooldown.user_id == user_id))
    settings = session.execute(
        delete(UserSettings).where(UserSettings.team_id == team_id, UserSettings.user_id == user_id)
    )
    session.execute(delete(UserProfile).where(UserProfile.team_id == team_id, UserProfile.user_id == user_id))
    return Forgotten(
        excerpts=int(excerpts.rowcount),  # type: ignore[attr-defined]
        nudges=int(nudges.rowcount),  # type: ignore[attr-defined]
        settings=int(settings.rowcount),  # type: ignore[attr-defined]
    )


def retention_days_by_team(session: Session) -> dict[str, int]:
    """Every workspace's retention period, in days."""
    rows = session.execute(select(WorkspaceSettings.team_id, WorkspaceSettings.retention_days))
    return {str(team_id): int(days) for team_id, days in rows}


def expire_excerpts(session: Session, *, team_id: str, before: datetime, limit: int) -> int:
    """Drop the excerpts of up to `limit` mentions made before `before`; the mentions stay. Returns how many."""
    ids = session.scalars(
        select(Mention.id)
        .where(Mention.team_id == team_id, Mention.mentioned_at < before, Mention.excerpt.is_not(None))
        .limit(limit)
    ).all()
    if not ids:
        return 0
    session.execute(update(Mention).where(Mention.team_id == team_id, Mention.id.in_(ids)).values(excerpt=None))
    return len(ids)


def redact_finished_outbox(
    session: Session, *, team_id: str, before: datetime, keep_kinds: Sequence[str], now: datetime, limit: int
) -> int:
    """Empty the payloads (which may quote user text) of up to `limit` finished outbox rows created before
    `before`; the rows stay, so their idempotency keys still stop duplicates. Returns how many."""
    ids = session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.state.in_(("sent", "failed", "skipped")),
            OutboxMessage.created_at < before,
            OutboxMessage.redacted_at.is_(None),
            OutboxMessage.kind.not_in(list(keep_kinds)),
        )
        .limit(limit)
    ).all()
    if not ids:
        return 0
    session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(payload={}, redacted_at=now, last_error=None)
    )
    return len(ids)


# --- follow-ups -------------------------------------------------------------------------------------------


def add_followup(session: Session, **values: Any) -> FollowUp:
    """Insert a follow-up."""
    row = FollowUp(state="open", reminders_sent=0, **values)
    session.add(row)
    session.flush()
    return row


def open_followups(session: Session, *, team_id: str, owner_user_id: str, limit: int) -> Sequence[FollowUp]:
    """A person's open follow-ups, soonest (most overdue) first."""
    return session.scalars(
        select(FollowUp)
        .where(FollowUp.team_id == team_id, FollowUp.owner_user_id == owner_user_id, FollowUp.state == "open")
        .order_by(FollowUp.due_at, FollowUp.id)
        .limit(limit)
    ).all()


def customer_names_by_id(session: Session, *, team_id: str, ids: Sequence[int]) -> dict[int, str]:
    """Display names of customers by id."""
    if not ids:
        return {}
    rows = session.execute(select(Customer.id, Customer.name).where(Customer.team_id == team_id,
                                                                     Customer.id.in_(list(set(ids)))))  # fmt: skip
    return {r[0]: r[1] for r in rows}


def customers_by_id(session: Session, *, team_id: str, ids: Sequence[int]) -> Sequence[Customer]:
    """The workspace's customers with these ids, by name."""
    if not ids:
        return []
    return session.scalars(
        select(Customer).where(Customer.team_id == team_id, Customer.id.in_(list(set(ids)))).order_by(Customer.name)
    ).all()


def has_open_followup_from(session: Session, *, team_id: str, created_by: str, channel_id: str, ts: str) -> bool:
    """Whether this person already has an open follow-up made from this message."""
    found = session.scalar(
        select(FollowUp.id).where(FollowUp.team_id == team_id, FollowUp.created_by == created_by,
                                  FollowUp.source_channel_id == channel_id, FollowUp.source_ts == ts,
                                  FollowUp.state == "open").limit(1)
    )  # fmt: skip
    return found is not None


def followups_to_remind(session: Session, *, now: datetime, second_before: datetime, limit: int) -> Sequence[FollowUp]:
    """Open follow-ups due a first reminder, or a second one (first sent before `second_before`), locked.

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
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return session.scalars(statement).all()


# --- customers' messages waiting for an answer ------------------------------------------------------------

WaitKey = tuple[str, str, str]  # (team_id, channel_id, message_ts)


def waiting_customer_messages(session: Session, *, limit: int) -> Sequence[tuple[WaitKey, datetime]]:
    """(key, posted at) of customers' messages still waiting for an answer, oldest first, in every workspace."""
    rows = session.execute(
        select(CustomerWait.team_id, CustomerWait.channel_id, CustomerWait.message_ts, CustomerWait.posted_at)
        .where(CustomerWait.state == "waiting")
        .order_by(CustomerWait.posted_at)
        .limit(limit)
    )
    return [((r[0], r[1], r[2]), r[3]) for r in rows]


def lock_waiting_customer_messages(session: Session, *, keys: Sequence[WaitKey]) -> Sequence[CustomerWait]:
    """Those of these waits still waiting, locked until commit; on PostgreSQL rows another process holds are skipped.

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
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return session.scalars(statement).all()


def channel_customer_links(session: Session, *, team_id: str, channel_ids: Sequence[str]) -> dict[str, int | None]:
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


def customer_names_and_owners(session: Session, *, team_id: str, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """(name, owner user id) of customers by id."""
    if not ids:
        return {}
    rows = session.execute(
        select(Customer.id, Customer.name, Customer.owner_user_id).where(
            Customer.team_id == team_id, Customer.id.in_(list(set(ids)))
        )
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def message_excerpt(
    session: Session, *, team_id: str, customer_id: int, channel_id: str, message_ts: str
) -> str | None:
    """The stored excerpt of a message mentioning a customer (None once expired or never stored)."""
    return session.scalar(
        select(Mention.excerpt).where(
            Mention.team_id == team_id,
            Mention.customer_id == customer_id,
            Mention.channel_id == channel_id,
            Mention.message_ts == message_ts,
        )
    )


def delete_customer_wait(session: Session, *, team_id: str, channel_id: str, message_ts: str) -> int:
    """Forget a customer's message as waiting (it was deleted)."""
    result = session.execute(
        delete(CustomerWait).where(
            CustomerWait.team_id == team_id,
            CustomerWait.channel_id == channel_id,
            CustomerWait.message_ts == message_ts,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- relationships: gone quiet and anniversaries ----------------------------------------------------------


def team_ids(session: Session) -> Sequence[str]:
    """Every workspace's team id, for jobs that work one workspace at a time."""
    return session.scalars(select(Workspace.team_id).order_by(Workspace.team_id)).all()


def customer_owner_timezones(session: Session, *, team_id: str) -> dict[str, str | None]:
    """Every customer owner of the workspace and their cached Slack timezone (None if never fetched)."""
    owners = select(Customer.owner_user_id).where(Customer.team_id == team_id).distinct().subquery()
    rows = session.execute(
        select(owners.c.owner_user_id, UserProfile.tz).outerjoin(
            UserProfile, and_(UserProfile.team_id == team_id, UserProfile.user_id == owners.c.owner_user_id)
        )
    )
    return {r[0]: r[1] for r in rows}


def existing_outbox_keys(session: Session, *, team_id: str, keys: Sequence[str]) -> set[str]:
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


@dataclass(frozen=True)
class TouchedCustomer:
    """A customer with its latest touch (None if it has none yet)."""

    customer: Customer
    last_touch: datetime | None


def owner_customers_with_touches(
    session: Session, *, team_id: str, owner_user_id: str, not_snoozed_at: datetime
) -> Sequence[TouchedCustomer]:
    """An owner's customers not snoozed at `not_snoozed_at`, each with its latest touch.

    A touch is a mention, a follow-up marked done, or a story about the customer.
    """
    last_mention = (
        select(func.max(Mention.mentioned_at))
        .where(Mention.team_id == team_id, Mention.customer_id == Customer.id)
        .scalar_subquery()
    )
    last_done = (
        select(func.max(FollowUp.closed_at))
        .where(FollowUp.team_id == team_id, FollowUp.customer_id == Customer.id, FollowUp.state == "done")
        .scalar_subquery()
    )
    last_story = (
        select(func.max(Story.created_at))
        .where(Story.team_id == team_id, Story.customer_id == Customer.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Customer, last_mention.label("last_mention"), last_done.label("last_done"), last_story.label("last_story")
        ).where(  # fmt: skip
            Customer.team_id == team_id,
            Customer.owner_user_id == owner_user_id,
            or_(Customer.quiet_snoozed_until.is_(None), Customer.quiet_snoozed_until <= not_snoozed_at),
        )
    ).all()
    return [
        TouchedCustomer(customer=r[0], last_touch=max((t for t in (r[1], r[2], r[3]) if t is not None), default=None))
        for r in rows
    ]


def customers_with_since(
    session: Session, *, team_id: str, owner_user_ids: Sequence[str], since: Sequence[Any]
) -> Sequence[Customer]:
    """The owners' customers whose customer-since date is one of `since`."""
    if not owner_user_ids or not since:
        return []
    return session.scalars(
        select(Customer)
        .where(
            Customer.team_id == team_id,
            Customer.owner_user_id.in_(list(set(owner_user_ids))),
            Customer.since.in_(list(since)),
        )
        .order_by(Customer.id)
    ).all()


def customer_for_update(session: Session, *, team_id: str, customer_id: int) -> Customer | None:
    """The customer, locked until the transaction ends (PostgreSQL; SQLite's write lock already serialises)."""
    statement = select(Customer).where(Customer.team_id == team_id, Customer.id == customer_id)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    return session.scalar(statement)


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


# --- stories ----------------------------------------------------------------------------------------------


def add_story(session: Session, **values: Any) -> Story:
    """Insert a story."""
    row = Story(generation=0, version=0, **values)
    session.add(row)
    session.flush()
    return row


def add_reaction_story(session: Session, **values: Any) -> None:
    """Insert the story of a reacted-to message unless another reaction already did (at the same instant, too)."""
    _insert_ignoring_conflicts(session, Story, dict(generation=0, version=0, **values))


def story_by_reaction_key(session: Session, *, team_id: str, reaction_key: str) -> Story | None:
    """The story of a reacted-to message, locked until commit so concurrent recognitions take turns."""
    statement = select(Story).where(Story.team_id == team_id, Story.reaction_key == reaction_key)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    return session.scalar(statement)


def story_for_update(session: Session, *, team_id: str, story_id: int) -> Story | None:
    """A story, locked until commit."""
    statement = select(Story).where(Story.team_id == team_id, Story.id == story_id)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    return session.scalar(statement)


def add_story_credits(session: Session, *, team_id: str, story_id: int, user_ids: Sequence[str]) -> None:
    """Credit people with a story (each once)."""
    for user_id in user_ids:
        _insert_ignoring_conflicts(session, StoryCredit, dict(team_id=team_id, story_id=story_id, user_id=user_id))


def story_credits(session: Session, *, story_id: int) -> list[str]:
    """The people a story credits."""
    return list(session.scalars(select(StoryCredit.user_id).where(StoryCredit.story_id == story_id)
                                .order_by(StoryCredit.user_id)))  # fmt: skip


def add_recognition(session: Session, *, team_id: str, story_id: int, user_id: str, emoji: str, now: datetime) -> bool:
    """Record one person's recognition (per emoji); False if it was already there."""
    values = dict(team_id=team_id, story_id=story_id, user_id=user_id, emoji=emoji, created_at=now)
    return _insert_ignoring_conflicts(session, StoryRecognition, values)


def remove_recognition(session: Session, *, story_id: int, user_id: str, emoji: str) -> int:
    """Withdraw one person's recognition with one emoji."""
    result = session.execute(
        delete(StoryRecognition).where(StoryRecognition.story_id == story_id, StoryRecognition.user_id == user_id,
                                       StoryRecognition.emoji == emoji)
    )  # fmt: skip
    return int(result.rowcount)  # type: ignore[attr-defined]


def story_recognisers(session: Session, *, story_id: int) -> list[str]:
    """Who recognised a story, in the order they first did."""
    rows = session.execute(
        select(StoryRecognition.user_id, func.min(StoryRecognition.created_at).label("first"))
        .where(StoryRecognition.story_id == story_id)
        .group_by(StoryRecognition.user_id)
        .order_by("first", StoryRecognition.user_id)
    )
    return [r[0] for r in rows]


# --- the weekly digest, /rapport stats and the Home tab's stories -----------------------------------------


@dataclass(frozen=True)
class CountedStory:
    """A story someone recognised, with how many people did (each person once, whatever their emoji)."""

    story: Story
    recognisers: int


def counted_stories(
    session: Session,
    *,
    team_id: str,
    limit: int,
    since: datetime | None = None,
    until: datetime | None = None,
    credited_user_id: str | None = None,
    most_recognised_first: bool = False,
) -> Sequence[CountedStory]:
    """Stories created in [since, until) with at least one recognition: newest first, or most recognised first."""
    recognisers = func.count(StoryRecognition.user_id.distinct()).label("recognisers")
    query = (
        select(Story, recognisers)
        .join(StoryRecognition, StoryRecognition.story_id == Story.id)
        .where(Story.team_id == team_id, StoryRecognition.team_id == team_id)
        .group_by(Story.id)
    )
    if since is not None:
        query = query.where(Story.created_at >= since)
    if until is not None:
        query = query.where(Story.created_at < until)
    if credited_user_id is not None:
        query = query.where(
            Story.id.in_(select(StoryCredit.story_id).where(StoryCredit.team_id == team_id,
                                                            StoryCredit.user_id == credited_user_id))
        )  # fmt: skip
    if most_recognised_first:
        query = query.order_by(recognisers.desc(), Story.created_at, Story.id)
    else:
        query = query.order_by(Story.created_at.desc(), Story.id.desc())
    return [CountedStory(story=r[0], recognisers=int(r[1])) for r in session.execute(query.limit(limit))]


def count_counted_stories(session: Session, *, team_id: str, since: datetime, until: datetime) -> int:
    """How many stories created in [since, until) someone recognised."""
    recognised = select(StoryRecognition.story_id).where(StoryRecognition.story_id == Story.id).exists()
    return int(
        session.scalar(
            select(func.count(Story.id)).where(
                Story.team_id == team_id, Story.created_at >= since, Story.created_at < until, recognised
            )
        )
        or 0
    )


def credits_of_stories(session: Session, *, team_id: str, story_ids: Sequence[int]) -> dict[int, list[str]]:
    """The people each story credits, by story id."""
    if not story_ids:
        return {}
    credits: dict[int, list[str]] = {story_id: [] for story_id in story_ids}
    rows = session.execute(
        select(StoryCredit.story_id, StoryCredit.user_id)
        .where(StoryCredit.team_id == team_id, StoryCredit.story_id.in_(list(set(story_ids))))
        .order_by(StoryCredit.story_id, StoryCredit.user_id)
    )
    for story_id, user_id in rows:
        credits[story_id].append(user_id)
    return credits


@dataclass(frozen=True)
class DoneFollowUps:
    """Follow-ups (check-ins included) closed as done in a period, how many by their due time, and the customers
    whose check-ins were done."""

    done: int
    on_time: int
    customers_checked_in: int


ON_TIME_GRACE = timedelta(days=1)


def done_followups(session: Session, *, team_id: str, since: datetime, until: datetime) -> DoneFollowUps:
    """Follow-ups marked done in [since, until). On time means within a day of the due time: the reminder comes
    at the due time, so acting on it that day is on time (and before the second reminder)."""
    done = and_(FollowUp.team_id == team_id, FollowUp.state == "done", FollowUp.closed_at >= since,
                FollowUp.closed_at < until)  # fmt: skip
    closed = session.execute(select(FollowUp.closed_at, FollowUp.due_at).where(done)).all()
    row = (len(closed), sum(1 for c in closed if c[0] is not None and c[0] <= c[1] + ON_TIME_GRACE))
    checked_in = session.scalar(
        select(func.count(FollowUp.customer_id.distinct())).where(done, FollowUp.kind == "checkin",
                                                                  FollowUp.customer_id.is_not(None))
    )  # fmt: skip
    return DoneFollowUps(done=int(row[0] or 0), on_time=int(row[1] or 0), customers_checked_in=int(checked_in or 0))


def count_quiet_customers(session: Session, *, team_id: str, cutoff: datetime) -> int:
    """How many customers have had no touch (mention, follow-up done, story about them) since `cutoff` (UTC).

    As for the gone-quiet DM, quiet is counted from when the customer was added (or its since date, if later),
    so a customer just added is not quiet yet; snoozing the DM does not make a customer any less quiet here.
    """
    touched = or_(
        select(Mention.id).where(Mention.team_id == team_id, Mention.customer_id == Customer.id,
                                 Mention.mentioned_at > cutoff).exists(),
        select(FollowUp.id).where(FollowUp.team_id == team_id, FollowUp.customer_id == Customer.id,
                                  FollowUp.state == "done", FollowUp.closed_at > cutoff).exists(),
        select(Story.id).where(Story.team_id == team_id, Story.customer_id == Customer.id,
                               Story.created_at > cutoff).exists(),
    )  # fmt: skip
    return int(
        session.scalar(
            select(func.count(Customer.id)).where(
                Customer.team_id == team_id,
                Customer.created_at <= cutoff,
                or_(Customer.since.is_(None), Customer.since <= cutoff.date()),
                ~touched,
            )
        )
        or 0
    )


# Export ---------------------------------------------------------------------------------------------------
# Everything `rapport export` reads, in a stable order. The long lists stream in batches (yield_per).


def retention_days(session: Session, *, team_id: str) -> int | None:
    """The workspace's excerpt retention in days (None if it has no settings row)."""
    return session.scalar(select(WorkspaceSettings.retention_days).where(WorkspaceSettings.team_id == team_id))


def export_customers(session: Session, *, team_id: str) -> Sequence[Customer]:
    """Every customer of the workspace with its names, by id."""
    return session.scalars(
        select(Customer).where(Customer.team_id == team_id).options(selectinload(Customer.names)).order_by(Customer.id)
    ).all()


def export_linked_channels(session: Session, *, team_id: str) -> dict[int, list[str]]:
    """The channels linked to each customer, by customer id."""
    linked: dict[int, list[str]] = {}
    rows = session.execute(
        select(Channel.customer_id, Channel.channel_id)
        .where(Channel.team_id == team_id, Channel.customer_id.is_not(None))
        .order_by(Channel.customer_id, Channel.channel_id)
    )
    for customer_id, channel_id in rows:
        if customer_id is not None:
            linked.setdefault(customer_id, []).append(channel_id)
    return linked


@dataclass(frozen=True)
class ExportMention:
    """One stored mention with its customer's name, as the export reads it."""

    customer_id: int
    customer_name: str
    channel_id: str
    message_ts: str
    thread_ts: str | None
    user_id: str
    mentioned_at: datetime
    excerpt: str | None


def export_mentions(session: Session, *, team_id: str, batch_size: int) -> Iterator[ExportMention]:
    """Every mention of the workspace, oldest first, fetched `batch_size` rows at a time."""
    rows = session.execute(
        select(Mention.customer_id, Customer.name, Mention.channel_id, Mention.message_ts, Mention.thread_ts,
               Mention.user_id, Mention.mentioned_at, Mention.excerpt)
        .join(Customer, and_(Customer.team_id == team_id, Customer.id == Mention.customer_id))
        .where(Mention.team_id == team_id)
        .order_by(Mention.mentioned_at, Mention.id)
        .execution_options(yield_per=batch_size)
    )  # fmt: skip
    for row in rows:
        yield ExportMention(*row)


def export_followups(session: Session, *, team_id: str, batch_size: int) -> Iterator[tuple[FollowUp, str | None]]:
    """Every follow-up of the workspace with its customer's name, by id, fetched `batch_size` rows at a time."""
    rows = session.execute(
        select(FollowUp, Customer.name)
        .outerjoin(Customer, and_(Customer.team_id == team_id, Customer.id == FollowUp.customer_id))
        .where(FollowUp.team_id == team_id)
        .order_by(FollowUp.id)
        .execution_options(yield_per=batch_size)
    )
    yield from rows


def export_stories(session: Session, *, team_id: str, batch_size: int) -> Iterator[tuple[Story, str | None]]:
    """Every story of the workspace (recognised or not) with its customer's name, by id, in batches."""
    rows = session.execute(
        select(Story, Customer.name)
        .outerjoin(Customer, and_(Customer.team_id == team_id, Customer.id == Story.customer_id))
        .where(Story.team_id == team_id)
        .order_by(Story.id)
        .execution_options(yield_per=batch_size)
    )
    yield from rows


def export_story_credits(session: Session, *, team_id: str) -> dict[int, list[str]]:
    """The people each story of the workspace credits, by story id."""
    credits: dict[int, list[str]] = {}
    rows = session.execute(
        select(StoryCredit.story_id, StoryCredit.user_id)
        .where(StoryCredit.team_id == team_id)
        .order_by(StoryCredit.story_id, StoryCredit.user_id)
    )
    for story_id, user_id in rows:
        credits.setdefault(story_id, []).append(user_id)
    return credits


def export_story_recognisers(session: Session, *, team_id: str) -> dict[int, list[str]]:
    """Who recognised each story of the workspace, in the order they first did, by story id."""
    recognisers: dict[int, list[str]] = {}
    first = func.min(StoryRecognition.created_at).label("first")
    rows = session.execute(
        select(StoryRecognition.story_id, StoryRecognition.user_id, first)
        .where(StoryRecognition.team_id == team_id)
        .group_by(StoryRecognition.story_id, StoryRecognition.user_id)
        .order_by(StoryRecognition.story_id, first, StoryRecognition.user_id)
    )
    for story_id, user_id, _first in rows:
        recognisers.setdefault(story_id, []).append(user_id)
    return recognisers
