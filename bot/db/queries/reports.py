"""Reports: the weekly digest, /rapport stats and the Home tab's stories: recognised stories, follow-ups done,
quiet customers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bot.db.models import Customer, FollowUp, Mention, Story, StoryCredit, StoryRecognition
from bot.domain.followups import is_on_time


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
            Story.id.in_(
                select(StoryCredit.story_id).where(
                    StoryCredit.team_id == team_id, StoryCredit.user_id == credited_user_id
                )
            )
        )
    if most_recognised_first:
        query = query.order_by(recognisers.desc(), Story.created_at, Story.id)
    else:
        query = query.order_by(Story.created_at.desc(), Story.id.desc())
    return [CountedStory(story=r[0], recognisers=int(r[1])) for r in session.execute(query.limit(limit))]


def count_counted_stories(session: Session, *, team_id: str, since: datetime, until: datetime) -> int:
    """How many stories created in [since, until) someone recognised."""
    recognised = (
        select(StoryRecognition.story_id)
        .where(StoryRecognition.team_id == team_id, StoryRecognition.story_id == Story.id)
        .exists()
    )
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


def done_followups(session: Session, *, team_id: str, since: datetime, until: datetime) -> DoneFollowUps:
    """Follow-ups marked done in [since, until). On time means within a day of the due time: the reminder comes
    at the due time, so acting on it that day is on time (and before the second reminder)."""
    done = and_(
        FollowUp.team_id == team_id, FollowUp.state == "done", FollowUp.closed_at >= since, FollowUp.closed_at < until
    )
    closed = session.execute(select(FollowUp.closed_at, FollowUp.due_at).where(done)).all()
    row = (len(closed), sum(1 for closed_at, due_at in closed if is_on_time(closed_at=closed_at, due_at=due_at)))
    checked_in = session.scalar(
        select(func.count(FollowUp.customer_id.distinct())).where(
            done, FollowUp.kind == "checkin", FollowUp.customer_id.is_not(None)
        )
    )
    return DoneFollowUps(done=int(row[0] or 0), on_time=int(row[1] or 0), customers_checked_in=int(checked_in or 0))


def count_quiet_customers(session: Session, *, team_id: str, cutoff: datetime) -> int:
    """How many customers have had no touch (mention, follow-up done, story about them) since `cutoff` (UTC).

    As for the gone-quiet DM, quiet is counted from when the customer was added (or its since date, if later),
    so a customer just added is not quiet yet; snoozing the DM does not make a customer any less quiet here.
    """
    touched = or_(
        select(Mention.id)
        .where(Mention.team_id == team_id, Mention.customer_id == Customer.id, Mention.mentioned_at > cutoff)
        .exists(),
        select(FollowUp.id)
        .where(
            FollowUp.team_id == team_id,
            FollowUp.customer_id == Customer.id,
            FollowUp.state == "done",
            FollowUp.closed_at > cutoff,
        )
        .exists(),
        select(Story.id)
        .where(Story.team_id == team_id, Story.customer_id == Customer.id, Story.created_at > cutoff)
        .exists(),
    )
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
