"""A customer's history: every kind of event about one customer in one time-ordered stream, a page at a time.

`page_keys` lets the database merge the kinds (one UNION ALL over small key columns, ordered newest first and cut
with LIMIT/OFFSET), so a page deep in a long relationship costs a scan of keys rather than loading every row
before it; the page's own rows are then read by key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, func, literal_column, null, select, tuple_, union_all
from sqlalchemy.orm import Session

from bot.db.models import CustomerWait, FollowUp, Mention, Story, StoryCredit

MENTION, CREATED, CLOSED, STORY, WAIT = "mention", "created", "closed", "story", "wait"


@dataclass(frozen=True)
class EventKey:
    """One event of the stream: when, which kind, and the row it comes from (`id`, or a wait's channel and ts)."""

    at: datetime
    kind: str
    id: int
    channel_id: str | None
    ts: str | None


def _kind(name: str) -> Any:
    # Written into the SQL, not bound: PostgreSQL cannot type a bound parameter in a UNION's select list.
    return literal_column(f"'{name}'", String)


def _stream(team_id: str, customer_id: int) -> list[Any]:
    no_id, no_text = literal_column("0", Integer), null().cast(String)
    return [
        select(Mention.mentioned_at.label("at"), _kind(MENTION).label("kind"), Mention.id.label("id"),
               no_text.label("channel_id"), no_text.label("ts"))
        .where(Mention.team_id == team_id, Mention.customer_id == customer_id),
        select(FollowUp.created_at, _kind(CREATED), FollowUp.id, no_text, no_text)
        .where(FollowUp.team_id == team_id, FollowUp.customer_id == customer_id),
        select(FollowUp.closed_at, _kind(CLOSED), FollowUp.id, no_text, no_text)
        .where(FollowUp.team_id == team_id, FollowUp.customer_id == customer_id, FollowUp.closed_at.is_not(None)),
        select(Story.created_at, _kind(STORY), Story.id, no_text, no_text)
        .where(Story.team_id == team_id, Story.customer_id == customer_id),
        select(CustomerWait.posted_at, _kind(WAIT), no_id, CustomerWait.channel_id, CustomerWait.message_ts)
        .where(CustomerWait.team_id == team_id, CustomerWait.customer_id == customer_id),
    ]  # fmt: skip


def page_keys(session: Session, *, team_id: str, customer_id: int, offset: int, limit: int) -> list[EventKey]:
    """The keys of the customer's events from `offset` on (newest first; ties in a fixed order), at most `limit`."""
    stream = union_all(*_stream(team_id, customer_id)).subquery()
    rows = session.execute(
        select(stream)
        .order_by(stream.c.at.desc(), stream.c.kind, stream.c.id.desc(), stream.c.ts.desc())
        .offset(offset)
        .limit(limit)
    )
    return [EventKey(at=r[0], kind=r[1], id=r[2], channel_id=r[3], ts=r[4]) for r in rows]


def count(session: Session, *, team_id: str, customer_id: int) -> int:
    """How many events the customer's stream holds (anniversaries, computed from `since`, not included)."""
    stream = union_all(*_stream(team_id, customer_id)).subquery()
    return int(session.scalar(select(func.count()).select_from(stream)) or 0)


def mentions(session: Session, *, team_id: str, ids: Sequence[int]) -> dict[int, Mention]:
    """These mentions, by id."""
    if not ids:
        return {}
    rows = session.scalars(select(Mention).where(Mention.team_id == team_id, Mention.id.in_(list(ids))))
    return {row.id: row for row in rows}


def followups(session: Session, *, team_id: str, ids: Sequence[int]) -> dict[int, FollowUp]:
    """These follow-ups and check-ins, by id."""
    if not ids:
        return {}
    rows = session.scalars(select(FollowUp).where(FollowUp.team_id == team_id, FollowUp.id.in_(list(ids))))
    return {row.id: row for row in rows}


def stories(session: Session, *, team_id: str, ids: Sequence[int]) -> dict[int, Story]:
    """These stories, by id."""
    if not ids:
        return {}
    rows = session.scalars(select(Story).where(Story.team_id == team_id, Story.id.in_(list(ids))))
    return {row.id: row for row in rows}


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


def waits(session: Session, *, team_id: str, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], CustomerWait]:
    """These waits (by channel and message ts)."""
    if not keys:
        return {}
    key = tuple_(CustomerWait.channel_id, CustomerWait.message_ts)
    rows = session.scalars(select(CustomerWait).where(CustomerWait.team_id == team_id, key.in_(list(keys))))
    return {(row.channel_id, row.message_ts): row for row in rows}


def open_followups(session: Session, *, team_id: str, customer_ids: Sequence[int]) -> dict[int, int]:
    """How many open follow-ups each of these customers has."""
    if not customer_ids:
        return {}
    rows = session.execute(
        select(FollowUp.customer_id, func.count())
        .where(FollowUp.team_id == team_id, FollowUp.customer_id.in_(list(customer_ids)), FollowUp.state == "open")
        .group_by(FollowUp.customer_id)
    )
    return {customer_id: n for customer_id, n in rows if customer_id is not None}


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
