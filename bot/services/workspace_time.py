"""The workspace's own time, read from its people: at start-up (the first use), then daily by a job.

Until an admin sets the workspace timezone in `/rapport settings`, it follows the primary owner's (from
`users.list`), else the most common among the workspace's people (bot.domain.workspace_time). An admin's choice
always wins: a read then only refreshes what "automatic" would be. A read Slack refuses (an error, a 429, no
answer) changes nothing: the workspace keeps the timezone it had and is read again RETRY_AFTER later.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.db.models import WorkspaceSettings
from bot.db.queries import settings as settings_rows
from bot.domain import workspace_time as wt
from bot.runtime.clients import Clients, client_for
from bot.runtime.deps import Deps
from bot.views.settings import TimezoneView

log = logging.getLogger(__name__)

READ_EVERY = timedelta(days=1)
RETRY_AFTER = timedelta(minutes=15)
PAGE_SIZE = 200  # Slack's advice for paginated methods
MAX_PAGES = 500  # 100,000 people: beyond that the first pages decide


def read_people_zone(client: WebClient, *, team_id: str) -> wt.WorkspaceZone | None:
    """Page through users.list (stopping at the primary owner) and derive the workspace's zone; None if Slack
    could not say."""
    people: list[wt.Person] = []
    cursor = ""
    try:
        for _ in range(MAX_PAGES):
            answer = client.users_list(limit=PAGE_SIZE, cursor=cursor or None)
            members = answer.get("members")
            people += [wt.person_from_member(m, team_id=team_id) for m in members or () if isinstance(m, dict)]
            if wt.primary_owner(people) is not None:
                break
            metadata = answer.get("response_metadata")
            cursor = str(metadata.get("next_cursor") or "") if isinstance(metadata, dict) else ""
            if not cursor:
                break
    except SlackApiError as error:
        log.warning(
            "could not read the people of %s for the workspace timezone (users.list: %s); trying again in %d minutes",
            team_id,
            error.response.get("error") or error.response.status_code,
            RETRY_AFTER.total_seconds() // 60,
        )
        return None
    except (SlackClientError, OSError) as error:
        log.warning(
            "could not reach Slack to read the people of %s (%s); trying again in %d minutes",
            team_id,
            type(error).__name__,
            RETRY_AFTER.total_seconds() // 60,
        )
        return None
    return wt.derive_zone(people)


def refresh(deps: Deps, client: WebClient, *, team_id: str, now: datetime) -> TimezoneView:
    """Read the workspace's people now and store what their zone is; an admin's timezone stays as it is."""
    zone = read_people_zone(client, team_id=team_id)
    with deps.session_factory.begin() as session:
        row = settings_rows.of_workspace(session, team_id=team_id, now=now)
        if zone is None:
            row.timezone_next_read_at = now + RETRY_AFTER
            return timezone_view(row)
        row.auto_timezone, row.auto_timezone_source, row.auto_timezone_name = zone.tz, zone.source, zone.name
        row.timezone_read_at, row.timezone_next_read_at = now, now + READ_EVERY
        if not row.timezone_set_by_admin and row.timezone != zone.tz:
            log.info("the workspace timezone of %s is now %s (%s)", team_id, zone.tz, zone.source)
            row.timezone = zone.tz
        return timezone_view(row)


def refresh_due(deps: Deps, *, now: datetime, client: Clients) -> int:
    """The job: read the people of every installed workspace never read, read a day ago, or whose read failed
    RETRY_AFTER ago, each with its own bot token (a workspace not installed is tried again later). Safe in several
    processes at once (each read stores the same answer)."""
    with deps.session_factory.begin() as session:
        due = settings_rows.timezone_reads_due(session, now=now)
    for team_id in due:
        team_client = client_for(client, team_id)
        if team_client is not None:
            refresh(deps, team_client, team_id=team_id, now=now)
    return len(due)


def timezone_view(row: WorkspaceSettings) -> TimezoneView:
    """The workspace timezone as the settings modal shows it: the zone, where it came from, and the automatic one."""
    automatic = row.auto_timezone or wt.DEFAULT_TIMEZONE
    source = wt.ADMIN if row.timezone_set_by_admin else row.auto_timezone_source
    return TimezoneView(
        tz=row.timezone,
        source=source,
        owner_name=row.auto_timezone_name if source == wt.PRIMARY_OWNER else "",
        automatic=automatic,
        automatic_source=row.auto_timezone_source,
        read_ever=row.timezone_read_at is not None,
    )
