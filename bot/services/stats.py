"""Reading the workspace's good stories and numbers: `/rapport stats`, the Home tab's story lists, and the
story lines the weekly digest shows. Only stories someone recognised count (a story whose every recognition
was withdrawn is not shown anywhere). Nothing here ranks people: counts are per story or per workspace.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy.orm import Session

from bot.db.queries import customers as customer_rows
from bot.db.queries import reports as report_rows
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.periods import month_start
from bot.domain.principles import label_of, read_principles
from bot.domain.when import zone
from bot.runtime.deps import Deps
from bot.services import first_responses
from bot.views.stats import StoryLine, WorkspaceStats

ON_TIME_DAYS = 30  # "12 of 15 done on time in the last 30 days"


def story_lines(session: Session, *, team_id: str, rows: list[report_rows.CountedStory]) -> list[StoryLine]:
    """The stories' lines, in the order given, with their credited people and customers."""
    ids = [row.story.id for row in rows]
    credits = report_rows.credits_of_stories(session, team_id=team_id, story_ids=ids)
    customer_ids = [row.story.customer_id for row in rows if row.story.customer_id is not None]
    names = customer_rows.names_by_id(session, team_id=team_id, ids=customer_ids)
    workspace = workspace_rows.get(session, team_id=team_id)
    url = workspace.url if workspace is not None else ""
    principles = read_principles(settings_rows.principles(session, team_id=team_id))
    return [
        StoryLine(
            id=row.story.id,
            credited=tuple(credits.get(row.story.id, ())),
            text=row.story.text,
            recognisers=row.recognisers,
            principle=row.story.principle,
            customer_name=names.get(row.story.customer_id) if row.story.customer_id is not None else None,
            source_channel_id=row.story.source_channel_id,
            source_ts=row.story.source_ts,
            workspace_url=url,
            created_at=row.story.created_at,
            principle_label=label_of(principles, row.story.principle) if row.story.principle else None,
        )
        for row in rows
    ]


def recent_stories(session: Session, *, team_id: str, limit: int) -> list[StoryLine]:
    """The workspace's latest recognised stories, newest first."""
    rows = report_rows.counted_stories(session, team_id=team_id, limit=limit)
    return story_lines(session, team_id=team_id, rows=list(rows))


def stories_about(session: Session, *, team_id: str, user_id: str, limit: int) -> list[StoryLine]:
    """The latest recognised stories crediting this person, newest first."""
    rows = report_rows.counted_stories(session, team_id=team_id, limit=limit, credited_user_id=user_id)
    return story_lines(session, team_id=team_id, rows=list(rows))


def workspace_stats(deps: Deps, *, team_id: str) -> WorkspaceStats:
    """Stories this month (workspace time), follow-ups done on time in the last 30 days, quiet customers."""
    now = deps.clock()
    until = now + timedelta(seconds=1)  # what was stored at `now` counts too
    with deps.session_factory.begin() as session:
        settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
        start = month_start(now, settings.timezone)
        stories = report_rows.count_counted_stories(session, team_id=team_id, since=start, until=until)
        done = report_rows.done_followups(
            session, team_id=team_id, since=now - timedelta(days=ON_TIME_DAYS), until=until
        )
        cutoff = (now - timedelta(days=settings.quiet_days)).astimezone(UTC)
        quiet = report_rows.count_quiet_customers(session, team_id=team_id, cutoff=cutoff)
        customers = customer_rows.count(session, team_id=team_id)
        month_name = start.astimezone(zone(settings.timezone)).strftime("%B")
        team, per_customer = first_responses.response_times(
            session, team_id=team_id, since=now - timedelta(days=ON_TIME_DAYS), until=until, now=now
        )
        return WorkspaceStats(
            stories_this_month=stories,
            month_name=month_name,
            followups_done=done.done,
            followups_on_time=done.on_time,
            on_time_days=ON_TIME_DAYS,
            quiet_customers=quiet,
            customers=customers,
            quiet_days=settings.quiet_days,
            timezone=settings.timezone,
            first_responses=team,
            customer_responses=tuple(per_customer),
        )
