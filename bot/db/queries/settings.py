"""Settings and what people chose: the workspace's settings and their history, people's tone-tip switch and
cached Slack profiles, and the tips (nudges) shown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot.db.models import Nudge, SettingsChange, UserProfile, UserSettings, Workspace, WorkspaceSettings
from bot.db.queries import workspaces as workspace_rows
from bot.db.queries._shared import check_team, insert_ignoring_conflicts


def of_workspace(session: Session, *, team_id: str, now: datetime) -> WorkspaceSettings:
    """The workspace's settings row (created with the spec's defaults if missing)."""
    row = session.get(WorkspaceSettings, team_id)
    if row is None:
        workspace_rows.ensure(session, team_id=team_id, now=now)
        row = session.get(WorkspaceSettings, team_id)
    assert row is not None
    return row


def principles(session: Session, *, team_id: str) -> str:
    """The workspace's stored list of principles ("" for the shipped six; reads only: no settings row is created)."""
    stored = session.scalar(select(WorkspaceSettings.principles).where(WorkspaceSettings.team_id == team_id))
    return stored or ""


def stories_channel(session: Session, *, team_id: str) -> str | None:
    """The workspace's stories channel, if one is chosen (reads only: no settings row is created)."""
    return session.scalar(select(WorkspaceSettings.stories_channel).where(WorkspaceSettings.team_id == team_id))


def timezone_reads_due(session: Session, *, now: datetime) -> Sequence[str]:
    """Installed workspaces (those `auth.test` named) whose people's timezones are due to be read again.

    Spans workspaces by design: it is the workspace-time job's way to find its work."""
    return session.scalars(
        select(WorkspaceSettings.team_id)
        .join(Workspace, Workspace.team_id == WorkspaceSettings.team_id)
        .where(
            Workspace.bot_user_id != "",
            or_(WorkspaceSettings.timezone_next_read_at.is_(None), WorkspaceSettings.timezone_next_read_at <= now),
        )
        .order_by(WorkspaceSettings.team_id)
    ).all()


def add_changes(session: Session, *, team_id: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Record changed settings of the workspace: who, when, what, from what to what."""
    check_team(team_id, rows)
    for row in rows:
        session.add(SettingsChange(**row))


def changes(session: Session, *, team_id: str, limit: int) -> Sequence[SettingsChange]:
    """The workspace's latest settings changes, newest first."""
    return session.scalars(
        select(SettingsChange)
        .where(SettingsChange.team_id == team_id)
        .order_by(SettingsChange.changed_at.desc(), SettingsChange.id.desc())
        .limit(limit)
    ).all()


def changed_by(session: Session, *, team_id: str, setting: str) -> str | None:
    """Who last changed one of the workspace's settings, if anyone did."""
    return session.scalar(
        select(SettingsChange.user_id)
        .where(SettingsChange.team_id == team_id, SettingsChange.setting == setting)
        .order_by(SettingsChange.changed_at.desc(), SettingsChange.id.desc())
        .limit(1)
    )


def user_profile(session: Session, *, team_id: str, user_id: str) -> UserProfile | None:
    """The cached Slack profile of a user, if fetched before."""
    return session.get(UserProfile, (team_id, user_id))


def save_user_profile(session: Session, *, team_id: str, user_id: str, now: datetime, **values: Any) -> None:
    """Store what users.info said about a user."""
    row = session.get(UserProfile, (team_id, user_id))
    if row is None:
        insert_ignoring_conflicts(session, UserProfile, dict(team_id=team_id, user_id=user_id, fetched_at=now))
        row = session.get(UserProfile, (team_id, user_id))
        assert row is not None
    for key, value in values.items():
        setattr(row, key, value)
    row.fetched_at = now


def profile_timezones(session: Session, *, team_id: str, user_ids: Sequence[str]) -> dict[str, str]:
    """Cached timezones of several users (those never fetched are missing)."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(UserProfile.user_id, UserProfile.tz).where(
            UserProfile.team_id == team_id, UserProfile.user_id.in_(list(set(user_ids)))
        )
    )
    return {r[0]: r[1] for r in rows}


def user_nudges_enabled(session: Session, *, team_id: str, user_id: str) -> bool:
    """Whether a person wants tone tips (yes, unless they turned them off)."""
    row = session.get(UserSettings, (team_id, user_id))
    return True if row is None else row.nudges_enabled


def set_user_nudges(session: Session, *, team_id: str, user_id: str, enabled: bool, now: datetime) -> None:
    """Turn a person's tone tips on or off."""
    row = session.get(UserSettings, (team_id, user_id))
    if row is None:
        insert_ignoring_conflicts(
            session, UserSettings, dict(team_id=team_id, user_id=user_id, nudges_enabled=enabled, updated_at=now)
        )
        row = session.get(UserSettings, (team_id, user_id))
        assert row is not None
    row.nudges_enabled, row.updated_at = enabled, now


def new_nudge_row(
    *, team_id: str, user_id: str, category: str, rule_id: str, channel_id: str, message_ts: str, now: datetime
) -> dict[str, Any]:
    """The values of a nudge row (a tip shown: never its text), for intake."""
    return dict(
        team_id=team_id,
        user_id=user_id,
        category=category,
        rule_id=rule_id,
        channel_id=channel_id,
        message_ts=message_ts,
        created_at=now,
    )


def set_nudge_response(
    session: Session, *, team_id: str, user_id: str, channel_id: str, message_ts: str, response: str
) -> None:
    """Record what the author did with the tip about one of their messages."""
    session.execute(
        update(Nudge)
        .where(
            Nudge.team_id == team_id,
            Nudge.user_id == user_id,
            Nudge.channel_id == channel_id,
            Nudge.message_ts == message_ts,
        )
        .values(response=response)
    )


def count_nudges(session: Session, *, team_id: str, since: datetime, until: datetime) -> dict[str, int]:
    """How many tips were shown in a period, by category (counts only: never who, never what)."""
    rows = session.execute(
        select(Nudge.category, func.count())
        .where(Nudge.team_id == team_id, Nudge.created_at >= since, Nudge.created_at < until)
        .group_by(Nudge.category)
    )
    return {str(category): int(count) for category, count in rows}
