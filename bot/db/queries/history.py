"""A customer's history: the newest rows of each kind of event about one customer, and how many there are.

Each function returns at most `limit` rows, newest first; the service merges them and cuts out one page, so a
page costs one indexed read per kind however long the relationship is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import CustomerWait, FollowUp, Mention, Story, StoryCredit


def mentions(session: Session, *, team_id: str, customer_id: int, limit: int) -> Sequence[Mention]:
    """The customer's newest mentions."""
    return session.scalars(
        select(Mention)
        .where(Mention.team_id == team_id, Mention.customer_id == customer_id)
        .order_by(Mention.mentioned_at.desc(), Mention.id.desc())
        .limit(limit)
    ).all()


def followups_created(session: Session, *, team_id: str, customer_id: int, limit: int) -> Sequence[FollowUp]:
    """The customer's newest follow-ups and check-ins, by when they were created."""
    return session.scalars(
        select(FollowUp)
        .where(FollowUp.team_id == team_id, FollowUp.customer_id == customer_id)
        .order_by(FollowUp.created_at.desc(), FollowUp.id.desc())
        .limit(limit)
    ).all()


def followups_closed(session: Session, *, team_id: str, customer_id: int, limit: int) -> Sequence[FollowUp]:
    """The customer's follow-ups and check-ins most recently done or cancelled."""
    return session.scalars(
        select(FollowUp)
        .where(FollowUp.team_id == team_id, FollowUp.customer_id == customer_id, FollowUp.closed_at.is_not(None))
        .order_by(FollowUp.closed_at.desc(), FollowUp.id.desc())
        .limit(limit)
    ).all()


def stories(session: Session, *, team_id: str, customer_id: int, limit: int) -> Sequence[Story]:
    """The newest stories about the customer."""
    return session.scalars(
        select(Story)
        .where(Story.team_id == team_id, Story.customer_id == customer_id)
        .order_by(Story.created_at.desc(), Story.id.desc())
        .limit(limit)
    ).all()


def credits_of(session: Session, *, team_id: str, story_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """The people each of these stories credits."""
    found: dict[int, list[str]] = {}
    if story_ids:
        rows = session.execute(
            select(StoryCredit.story_id, StoryCredit.user_id)
            .where(StoryCredit.team_id == team_id, StoryCredit.story_id.in_(list(story_ids)))
            .order_by(StoryCredit.story_id, StoryCredit.user_id)
        )
        for story_id, user_id in rows:
            found.setdefault(story_id, []).append(user_id)
    return {story_id: tuple(users) for story_id, users in found.items()}


def waits(session: Session, *, team_id: str, customer_id: int, limit: int) -> Sequence[CustomerWait]:
    """The customer's newest messages that waited for an answer."""
    return session.scalars(
        select(CustomerWait)
        .where(CustomerWait.team_id == team_id, CustomerWait.customer_id == customer_id)
        .order_by(CustomerWait.posted_at.desc(), CustomerWait.message_ts.desc())
        .limit(limit)
    ).all()


def counts(session: Session, *, team_id: str, customer_id: int) -> int:
    """How many events the customer's history holds from the database (anniversaries not included)."""
    total = 0
    for statement in (
        select(func.count()).select_from(Mention).where(Mention.team_id == team_id, Mention.customer_id == customer_id),
        select(func.count())
        .select_from(FollowUp)
        .where(FollowUp.team_id == team_id, FollowUp.customer_id == customer_id),
        select(func.count())
        .select_from(FollowUp)
        .where(FollowUp.team_id == team_id, FollowUp.customer_id == customer_id, FollowUp.closed_at.is_not(None)),
        select(func.count()).select_from(Story).where(Story.team_id == team_id, Story.customer_id == customer_id),
        select(func.count())
        .select_from(CustomerWait)
        .where(CustomerWait.team_id == team_id, CustomerWait.customer_id == customer_id),
    ):
        total += session.scalar(statement) or 0
    return total


def open_followups(session: Session, *, team_id: str, customer_ids: Sequence[int]) -> dict[int, int]:
    """How many open follow-ups each of these customers has."""
    if not customer_ids:
        return {}
    rows = session.execute(
        select(FollowUp.customer_id, func.count())
        .where(FollowUp.team_id == team_id, FollowUp.customer_id.in_(list(customer_ids)), FollowUp.state == "open")
        .group_by(FollowUp.customer_id)
    )
    return {customer_id: count for customer_id, count in rows if customer_id is not None}


def answered_waits(
    session: Session, *, team_id: str, customer_ids: Sequence[int], since: datetime
) -> Sequence[tuple[int, datetime, datetime]]:
    """(customer, posted at, answered at) of these customers' messages posted since `since` and answered."""
    if not customer_ids:
        return []
    rows = session.execute(
        select(CustomerWait.customer_id, CustomerWait.posted_at, CustomerWait.closed_at).where(
            CustomerWait.team_id == team_id,
            CustomerWait.customer_id.in_(list(customer_ids)),
            CustomerWait.state == "answered",
            CustomerWait.posted_at >= since,
            CustomerWait.closed_at.is_not(None),
        )
    )
    return [(r[0], r[1], r[2]) for r in rows if r[2] is not None]
