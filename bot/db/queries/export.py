"""Everything `rapport export` reads, in a stable order; the long lists stream in batches (yield_per)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from bot.db.models import Channel, Customer, FollowUp, Mention, Story, StoryCredit, StoryRecognition, WorkspaceSettings


def retention_days(session: Session, *, team_id: str) -> int | None:
    """The workspace's excerpt retention in days (None if it has no settings row)."""
    return session.scalar(select(WorkspaceSettings.retention_days).where(WorkspaceSettings.team_id == team_id))


def customers(session: Session, *, team_id: str) -> Sequence[Customer]:
    """Every customer of the workspace with its names, by id."""
    return session.scalars(
        select(Customer).where(Customer.team_id == team_id).options(selectinload(Customer.names)).order_by(Customer.id)
    ).all()


def linked_channels(session: Session, *, team_id: str) -> dict[int, list[str]]:
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


def mentions(session: Session, *, team_id: str, batch_size: int) -> Iterator[ExportMention]:
    """Every mention of the workspace, oldest first, fetched `batch_size` rows at a time."""
    rows = session.execute(
        select(
            Mention.customer_id,
            Customer.name,
            Mention.channel_id,
            Mention.message_ts,
            Mention.thread_ts,
            Mention.user_id,
            Mention.mentioned_at,
            Mention.excerpt,
        )
        .join(Customer, and_(Customer.team_id == team_id, Customer.id == Mention.customer_id))
        .where(Mention.team_id == team_id)
        .order_by(Mention.mentioned_at, Mention.id)
        .execution_options(yield_per=batch_size)
    )
    for row in rows:
        yield ExportMention(*row)


def followups(session: Session, *, team_id: str, batch_size: int) -> Iterator[tuple[FollowUp, str | None]]:
    """Every follow-up of the workspace with its customer's name, by id, fetched `batch_size` rows at a time."""
    rows = session.execute(
        select(FollowUp, Customer.name)
        .outerjoin(Customer, and_(Customer.team_id == team_id, Customer.id == FollowUp.customer_id))
        .where(FollowUp.team_id == team_id)
        .order_by(FollowUp.id)
        .execution_options(yield_per=batch_size)
    )
    yield from rows


def stories(session: Session, *, team_id: str, batch_size: int) -> Iterator[tuple[Story, str | None]]:
    """Every story of the workspace (recognised or not) with its customer's name, by id, in batches."""
    rows = session.execute(
        select(Story, Customer.name)
        .outerjoin(Customer, and_(Customer.team_id == team_id, Customer.id == Story.customer_id))
        .where(Story.team_id == team_id)
        .order_by(Story.id)
        .execution_options(yield_per=batch_size)
    )
    yield from rows


def story_credits(session: Session, *, team_id: str) -> dict[int, list[str]]:
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


def story_recognisers(session: Session, *, team_id: str) -> dict[int, list[str]]:
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
