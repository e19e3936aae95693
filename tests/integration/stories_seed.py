"""Seeding stories, follow-ups and customers straight into the database, for digest, stats and Home tab tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.db.models import Customer, FollowUp, Mention, Story, StoryCredit, StoryRecognition
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.runtime.deps import Deps

WORKSPACE_URL = "https://simworkspace.slack.com/"


def set_workspace(
    deps: Deps,
    team_id: str,
    *,
    now: datetime,
    stories_channel: str | None = "C0STORIES",
    timezone: str = "UTC",
    digest_day: str = "fri",
    digest_time: int = 15 * 60,
    quiet_days: int = 30,
) -> None:
    """The workspace with its URL and digest settings."""
    with deps.session_factory.begin() as session:
        workspace_rows.update_identity(
            session,
            team_id=team_id,
            name="Sim",
            url=WORKSPACE_URL,
            bot_user_id="U0RAPPORT",
            bot_id="B0RAPPORT",
            now=now,
        )
        settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
        settings.stories_channel, settings.timezone = stories_channel, timezone
        settings.digest_day, settings.digest_time, settings.quiet_days = digest_day, digest_time, quiet_days


def add_story(
    session: Session,
    team_id: str,
    *,
    text: str,
    at: datetime,
    credited: Sequence[str] = ("U0LEE",),
    recognisers: Sequence[str] = ("U0DANA",),
    principle: str | None = None,
    customer_id: int | None = None,
    source: tuple[str, str] | None = None,
    emojis: Sequence[str] = ("star2",),
) -> int:
    """A story with its credits and recognitions (one per recogniser and emoji)."""
    story = Story(
        team_id=team_id,
        via="reaction" if source else "kudos",
        text=text,
        created_at=at,
        created_by=recognisers[0] if recognisers else "U0DANA",
        principle=principle,
        customer_id=customer_id,
        source_channel_id=source[0] if source else None,
        source_ts=source[1] if source else None,
        generation=0,
        version=0,
    )
    session.add(story)
    session.flush()
    for user in credited:
        session.add(StoryCredit(story_id=story.id, user_id=user, team_id=team_id))
    for user in recognisers:
        for emoji in emojis:
            session.add(StoryRecognition(story_id=story.id, user_id=user, emoji=emoji, team_id=team_id, created_at=at))
    session.flush()
    return story.id


def add_done_followup(
    session: Session,
    team_id: str,
    *,
    due: datetime,
    closed: datetime,
    kind: str = "followup",
    customer_id: int | None = None,
    owner: str = "U0LEE",
    state: str = "done",
) -> None:
    """A follow-up closed at `closed` (due at `due`)."""
    session.add(
        FollowUp(
            team_id=team_id,
            owner_user_id=owner,
            customer_id=customer_id,
            kind=kind,
            note="call back",
            due_at=due,
            state=state,
            reminders_sent=0,
            created_by=owner,
            created_at=due - timedelta(days=2),
            closed_by=owner,
            closed_at=closed,
        )
    )
    session.flush()


def add_customer(session: Session, team_id: str, name: str, *, added: datetime, since: date | None = None) -> int:
    """A customer (no names rows: the directory matcher is not needed here)."""
    customer = Customer(
        team_id=team_id, name=name, owner_user_id="U0LEE", since=since, notes="", created_by="U0DANA", created_at=added
    )
    session.add(customer)
    session.flush()
    return customer.id


def add_mention(session: Session, team_id: str, customer_id: int, at: datetime) -> None:
    """A mention of a customer at `at`."""
    session.add(
        Mention(
            team_id=team_id,
            customer_id=customer_id,
            channel_id="C0SUPPORT",
            message_ts=f"{at.timestamp():.6f}",
            user_id="U0DANA",
            mentioned_at=at,
        )
    )
    session.flush()
