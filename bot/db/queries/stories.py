"""Stories: good work someone recognised (by reaction, /kudos, the shortcut or a follow-up), who it credits and
who recognised it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.db.models import Story, StoryCredit, StoryRecognition
from bot.db.queries._shared import insert_ignoring_conflicts, locked, rowcount


def add(session: Session, *, team_id: str, **values: Any) -> Story:
    """Insert a story."""
    row = Story(team_id=team_id, generation=0, version=0, **values)
    session.add(row)
    session.flush()
    return row


def add_for_reaction(session: Session, *, team_id: str, **values: Any) -> None:
    """Insert the story of a reacted-to message unless another reaction already did (at the same instant, too)."""
    insert_ignoring_conflicts(session, Story, dict(team_id=team_id, generation=0, version=0, **values))


def get(session: Session, *, team_id: str, story_id: int) -> Story | None:
    """The workspace's story with this id, if any."""
    story = session.get(Story, story_id)
    return story if story is not None and story.team_id == team_id else None


def by_reaction_key(session: Session, *, team_id: str, reaction_key: str) -> Story | None:
    """The story of a reacted-to message, locked until commit so concurrent recognitions take turns."""
    return session.scalar(
        locked(session, select(Story).where(Story.team_id == team_id, Story.reaction_key == reaction_key))
    )


def for_update(session: Session, *, team_id: str, story_id: int) -> Story | None:
    """A story, locked until commit."""
    return session.scalar(locked(session, select(Story).where(Story.team_id == team_id, Story.id == story_id)))


def add_credits(session: Session, *, team_id: str, story_id: int, user_ids: Sequence[str]) -> None:
    """Credit people with a story (each once)."""
    for user_id in user_ids:
        insert_ignoring_conflicts(session, StoryCredit, dict(team_id=team_id, story_id=story_id, user_id=user_id))


def credits(session: Session, *, team_id: str, story_id: int) -> list[str]:
    """The people a story credits."""
    return list(
        session.scalars(
            select(StoryCredit.user_id)
            .where(StoryCredit.team_id == team_id, StoryCredit.story_id == story_id)
            .order_by(StoryCredit.user_id)
        )
    )


def add_recognition(session: Session, *, team_id: str, story_id: int, user_id: str, emoji: str, now: datetime) -> bool:
    """Record one person's recognition (per emoji); False if it was already there."""
    values = dict(team_id=team_id, story_id=story_id, user_id=user_id, emoji=emoji, created_at=now)
    return insert_ignoring_conflicts(session, StoryRecognition, values)


def remove_recognition(session: Session, *, team_id: str, story_id: int, user_id: str, emoji: str) -> int:
    """Withdraw one person's recognition with one emoji."""
    result = session.execute(
        delete(StoryRecognition).where(
            StoryRecognition.team_id == team_id,
            StoryRecognition.story_id == story_id,
            StoryRecognition.user_id == user_id,
            StoryRecognition.emoji == emoji,
        )
    )
    return rowcount(result)


def recognisers(session: Session, *, team_id: str, story_id: int) -> list[str]:
    """Who recognised a story, in the order they first did."""
    rows = session.execute(
        select(StoryRecognition.user_id, func.min(StoryRecognition.created_at).label("first"))
        .where(StoryRecognition.team_id == team_id, StoryRecognition.story_id == story_id)
        .group_by(StoryRecognition.user_id)
        .order_by("first", StoryRecognition.user_id)
    )
    return [r[0] for r in rows]
