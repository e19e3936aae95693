"""Customers and their names: the directory, lookups by name, the quietest-first list, and their last touch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, true, union_all, update
from sqlalchemy.orm import Session, selectinload

from bot.db.models import Channel, Customer, CustomerName, FollowUp, Mention, Story
from bot.db.queries import workspaces as workspace_rows
from bot.db.queries._shared import locked, rowcount

_NAMES = select(
    CustomerName.__table__.c.customer_id, CustomerName.__table__.c.name, CustomerName.__table__.c.exact
).where(CustomerName.__table__.c.team_id == bindparam("team_id"))


def get(session: Session, *, team_id: str, customer_id: int) -> Customer | None:
    """The workspace's customer with this id, if any."""
    customer = session.get(Customer, customer_id)
    return customer if customer is not None and customer.team_id == team_id else None


def all_names(session: Session, *, team_id: str) -> Sequence[tuple[int, str, bool | None]]:
    """Every (customer id, name or alias, exact) of the workspace."""
    return [(r[0], r[1], r[2]) for r in session.connection().execute(_NAMES, {"team_id": team_id})]


def name_row(session: Session, *, team_id: str, name_key: str) -> CustomerName | None:
    """The name or alias that normalizes to name_key, with its customer."""
    return session.scalar(
        select(CustomerName)
        .where(CustomerName.team_id == team_id, CustomerName.name_key == name_key)
        .options(selectinload(CustomerName.customer))
    )


def set_exact(session: Session, *, team_id: str, name: CustomerName, exact: bool) -> None:
    """Record a person's choice: this name counts only as written (True) or in any letter case (False)."""
    if name.team_id != team_id:
        raise ValueError(f"name {name.id} is not in workspace {team_id}")
    name.exact = exact
    session.flush()
    workspace_rows.bump_directory_version(session, team_id=team_id)


def by_name_key(session: Session, *, team_id: str, name_key: str) -> Customer | None:
    """The customer whose name or alias normalizes to name_key."""
    return session.scalar(
        select(Customer)
        .join(CustomerName, and_(CustomerName.customer_id == Customer.id, CustomerName.team_id == Customer.team_id))
        .where(CustomerName.team_id == team_id, CustomerName.name_key == name_key)
        .options(selectinload(Customer.names))
    )


def by_name_prefix(session: Session, *, team_id: str, name_key: str, limit: int) -> Sequence[Customer]:
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


def add(
    session: Session,
    *,
    team_id: str,
    name: str,
    names: Sequence[tuple[str, str, bool, bool | None]],
    owner_user_id: str,
    since: Any,
    created_by: str,
    now: datetime,
    backup_user_id: str | None = None,
) -> Customer:
    """Insert a customer with its (name, key, is_primary, exact) names."""
    customer = Customer(
        team_id=team_id,
        name=name,
        owner_user_id=owner_user_id,
        backup_user_id=backup_user_id,
        since=since,
        notes="",
        created_by=created_by,
        created_at=now,
    )
    session.add(customer)
    session.flush()
    for display, key, primary, exact in names:
        session.add(
            CustomerName(
                team_id=team_id, customer_id=customer.id, name=display, name_key=key, is_primary=primary, exact=exact
            )
        )
    session.flush()
    workspace_rows.bump_directory_version(session, team_id=team_id)
    return customer


def add_name(
    session: Session, *, team_id: str, customer: Customer, name: str, name_key: str, exact: bool | None = None
) -> None:
    """Give one of the workspace's customers one more alias."""
    _check_team(customer, team_id)
    session.add(
        CustomerName(
            team_id=team_id, customer_id=customer.id, name=name, name_key=name_key, is_primary=False, exact=exact
        )
    )
    session.flush()
    workspace_rows.bump_directory_version(session, team_id=team_id)


def remove(session: Session, *, team_id: str, customer: Customer) -> int:
    """Delete a customer, its names and mentions; unlink its channels. Returns the mention count removed."""
    _check_team(customer, team_id)
    mentions = session.execute(delete(Mention).where(Mention.team_id == team_id, Mention.customer_id == customer.id))
    unlinked = session.execute(
        update(Channel).where(Channel.team_id == team_id, Channel.customer_id == customer.id).values(customer_id=None)
    )
    session.delete(customer)  # its names go with it (ON DELETE CASCADE)
    session.flush()
    workspace_rows.bump_directory_version(session, team_id=team_id)
    if rowcount(unlinked):  # every process's channel cache forgets the link
        workspace_rows.bump_channels_version(session, team_id=team_id)
    return rowcount(mentions)


@dataclass(frozen=True)
class Footprint:
    """What a customer's removal touches: mentions (deleted), open follow-ups and stories (kept, without the
    customer), and linked channels (unlinked)."""

    mentions: int
    open_followups: int
    stories: int
    channel_ids: tuple[str, ...]


def footprint(session: Session, *, team_id: str, customer_id: int) -> Footprint:
    """Count what removing the customer deletes or keeps (for its confirmation)."""
    mentions = session.scalar(
        select(func.count(Mention.id)).where(Mention.team_id == team_id, Mention.customer_id == customer_id)
    )
    followups = session.scalar(
        select(func.count(FollowUp.id)).where(
            FollowUp.team_id == team_id, FollowUp.customer_id == customer_id, FollowUp.state == "open"
        )
    )
    stories = session.scalar(
        select(func.count(Story.id)).where(Story.team_id == team_id, Story.customer_id == customer_id)
    )
    channels = session.scalars(
        select(Channel.channel_id)
        .where(Channel.team_id == team_id, Channel.customer_id == customer_id)
        .order_by(Channel.channel_id)
    )
    return Footprint(int(mentions or 0), int(followups or 0), int(stories or 0), tuple(channels))


def _check_team(customer: Customer, team_id: str) -> None:
    # Callers load the customer through this workspace; a mismatch is a bug, not a user error.
    if customer.team_id != team_id:
        raise ValueError(f"customer {customer.id} is not in workspace {team_id}")


def for_update(session: Session, *, team_id: str, customer_id: int) -> Customer | None:
    """The customer, locked until the transaction ends (PostgreSQL; SQLite's write lock already serialises)."""
    return session.scalar(
        locked(session, select(Customer).where(Customer.team_id == team_id, Customer.id == customer_id))
    )


def count(session: Session, *, team_id: str) -> int:
    """How many customers the workspace has."""
    return int(session.scalar(select(func.count(Customer.id)).where(Customer.team_id == team_id)) or 0)


def names_by_id(session: Session, *, team_id: str, ids: Sequence[int]) -> dict[int, str]:
    """Display names of customers by id."""
    if not ids:
        return {}
    rows = session.execute(
        select(Customer.id, Customer.name).where(Customer.team_id == team_id, Customer.id.in_(list(set(ids))))
    )
    return {r[0]: r[1] for r in rows}


def names_and_owners(session: Session, *, team_id: str, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """(name, owner user id) of customers by id."""
    if not ids:
        return {}
    rows = session.execute(
        select(Customer.id, Customer.name, Customer.owner_user_id).where(
            Customer.team_id == team_id, Customer.id.in_(list(set(ids)))
        )
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def backups(session: Session, *, team_id: str, ids: Sequence[int]) -> dict[int, str]:
    """The backup owner of those of these customers that have one, by customer id."""
    if not ids:
        return {}
    rows = session.execute(
        select(Customer.id, Customer.backup_user_id).where(
            Customer.team_id == team_id, Customer.id.in_(list(set(ids))), Customer.backup_user_id.is_not(None)
        )
    )
    return {r[0]: r[1] for r in rows if r[1]}


def by_ids(session: Session, *, team_id: str, ids: Sequence[int]) -> Sequence[Customer]:
    """The workspace's customers with these ids, by name."""
    if not ids:
        return []
    return session.scalars(
        select(Customer).where(Customer.team_id == team_id, Customer.id.in_(list(set(ids)))).order_by(Customer.name)
    ).all()


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


def quietest_first(
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


def last_touch(session: Session, *, team_id: str, customer_id: int) -> datetime | None:
    """The customer's most recent touch: a mention, a follow-up done, or a story about them."""
    touches = _touches(team_id)
    return session.scalar(select(touches.c.last_touch).where(touches.c.customer_id == customer_id))
