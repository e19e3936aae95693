"""The weekly story digest: one message in the stories channel at the workspace's digest day and time.

The digest's *week* is the seven days (workspace wall-clock time) ending at the digest moment, e.g. from last
Friday 15:00 to this Friday 15:00: consecutive digests neither overlap nor leave a gap. Everything it tells is
read for that week: recognised stories created in it (recogniser counts as they are when it is composed), follow-
ups marked done in it, the customers quiet as of the digest moment, and how many tone tips were shown (a count
by kind: never who, never what).

It is due from the digest moment until the end of that ISO week (Sunday midnight, workspace time), and for at
least a day: a bot that was down at the moment still sends it later, never a previous week's. Once per week
however many processes run, through the outbox key `digest:<team>:<ISO year>-W<week>` (the ISO week of the
digest moment's local date); not at all while no stories channel is set, nor in a week with nothing to tell.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType

from sqlalchemy.orm import Session

from bot.blocks.digest import build_digest
from bot.blocks.stories import STORIES_CHANNEL_PROBLEMS
from bot.db.models import OutboxMessage
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import reports as report_rows
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.periods import DigestWeek, digest_week
from bot.runtime.deps import Deps
from bot.runtime.sender import Rescuer
from bot.services import first_responses, stories
from bot.services.stats import story_lines
from bot.views.digest import Digest

DIGEST = "digest"

DIGEST_STORIES = 10


def compose_digest(session: Session, *, team_id: str, week: DigestWeek, quiet_days: int) -> Digest:
    """The digest of one workspace's week."""
    rows = report_rows.counted_stories(
        session, team_id=team_id, since=week.start, until=week.moment, most_recognised_first=True, limit=DIGEST_STORIES
    )
    total = report_rows.count_counted_stories(session, team_id=team_id, since=week.start, until=week.moment)
    done = report_rows.done_followups(session, team_id=team_id, since=week.start, until=week.moment)
    quiet = report_rows.count_quiet_customers(session, team_id=team_id, cutoff=week.moment - timedelta(days=quiet_days))
    responses, per_customer = first_responses.response_times(
        session, team_id=team_id, since=week.start, until=week.moment, now=week.moment
    )
    return Digest(
        week=week,
        stories=story_lines(session, team_id=team_id, rows=list(rows)),
        more_stories=max(0, total - len(rows)),
        followups_done=done.done,
        followups_on_time=done.on_time,
        customers_checked_in=done.customers_checked_in,
        quiet_customers=quiet,
        quiet_days=quiet_days,
        tips=settings_rows.count_nudges(session, team_id=team_id, since=week.start, until=week.moment),
        first_responses=responses,
        customer_responses=tuple(per_customer),
    )


def queue_weekly_digest(deps: Deps, *, now: datetime) -> int:
    """Queue this week's digest for each workspace whose digest moment has come; returns how many were queued."""
    due: list[tuple[str, str, DigestWeek]] = []  # (team, stories channel, week) of workspaces whose moment came
    with deps.session_factory.begin() as session:
        for team_id in workspace_rows.all_team_ids(session):
            settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
            week = digest_week(now, day=settings.digest_day, minutes=settings.digest_time, tz=settings.timezone)
            if settings.stories_channel and week.is_due(now):
                due.append((team_id, settings.stories_channel, week))
    queued = 0
    for team_id, channel, week in due:
        with deps.session_factory.begin() as session:
            key = f"digest:{team_id}:{week.label}"
            if outbox_rows.existing_keys(session, team_id=team_id, keys=[key]):
                continue
            quiet_days = settings_rows.of_workspace(session, team_id=team_id, now=now).quiet_days
            digest = compose_digest(session, team_id=team_id, week=week, quiet_days=quiet_days)
            if not digest.has_news:
                continue
            payload = {"channel": channel, "unfurl_links": False, "unfurl_media": False, **build_digest(digest)}
            # Several processes may get here at once: the key lets one row in, the others add nothing.
            queued += outbox_rows.enqueue(
                session,
                team_id=team_id,
                kind=DIGEST,
                idempotency_key=key,
                method="chat.postMessage",
                payload=payload,
                not_before=now,
                now=now,
            )
    if queued:
        deps.wake_sender()
    return queued


def rescuers(admins: frozenset[str]) -> Mapping[str, Rescuer]:
    """What the sender does when the stories channel refuses the digest for good (archived, bot removed, gone): the
    admins are told, as for a shout-out; the digest has no other home, so it fails."""

    def refused(session: Session, row: OutboxMessage, code: str, now: datetime) -> bool:
        if code in STORIES_CHANNEL_PROBLEMS:
            channel = str(row.payload.get("channel") or "")
            stories.tell_admins(session, row, channel, code, admins, now=now)
        return False

    return MappingProxyType({DIGEST: refused})
