"""Relationships: customers gone quiet (by their owners' last touch) and customer-since anniversaries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bot.db.models import Customer, FollowUp, Mention, Story, UserProfile


def owner_timezones(session: Session, *, team_id: str) -> dict[str, str | None]:
    """Every customer owner of the workspace and their cached Slack timezone (None if never fetched)."""
    owners = select(Customer.owner_user_id).where(Customer.team_id == team_id).distinct().subquery()
    rows = session.execute(
        select(owners.c.owner_user_id, UserProfile.tz).outerjoin(
            UserProfile, and_(UserProfile.team_id == team_id, UserProfile.user_id == owners.c.owner_user_id)
        )
    )
    return {r[0]: r[1] for r in rows}


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
        ).where(
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
