"""Workspaces: the row created the first time a team is seen, its identity, and the version counters that tell
every process's caches (directory, channels, settings) to reload."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from bot.db.models import Workspace, WorkspaceSettings
from bot.db.queries._shared import insert_ignoring_conflicts

_VERSIONS = select(
    Workspace.__table__.c.directory_version,
    Workspace.__table__.c.channels_version,
    Workspace.__table__.c.settings_version,
).where(Workspace.__table__.c.team_id == bindparam("team_id"))


def ensure(session: Session, *, team_id: str, now: datetime) -> Workspace:
    """The workspace row, created with default settings the first time a team is seen."""
    workspace = session.get(Workspace, team_id)
    if workspace is not None:
        return workspace
    inserted = insert_ignoring_conflicts(
        session,
        Workspace,
        dict(
            team_id=team_id,
            name="",
            url="",
            bot_user_id="",
            bot_id="",
            directory_version=0,
            created_at=now,
            updated_at=now,
        ),
    )
    if inserted:
        insert_ignoring_conflicts(session, WorkspaceSettings, dict(team_id=team_id, updated_at=now))
    workspace = session.get(Workspace, team_id)
    assert workspace is not None
    return workspace


def update_identity(
    session: Session, *, team_id: str, name: str, url: str, bot_user_id: str, bot_id: str, now: datetime
) -> None:
    """Store what auth.test says about the workspace and the bot."""
    workspace = ensure(session, team_id=team_id, now=now)
    workspace.name, workspace.url = name, url
    workspace.bot_user_id, workspace.bot_id = bot_user_id, bot_id
    workspace.updated_at = now


def get(session: Session, *, team_id: str) -> Workspace | None:
    """The workspace row, if the team is known."""
    return session.get(Workspace, team_id)


def all_team_ids(session: Session) -> Sequence[str]:
    """Every workspace's team id, for jobs that work one workspace at a time (spans workspaces by design)."""
    return session.scalars(select(Workspace.team_id).order_by(Workspace.team_id)).all()


def directory_version(session: Session, *, team_id: str) -> int:
    """The workspace's directory version (0 for an unknown team)."""
    version = session.scalar(select(Workspace.directory_version).where(Workspace.team_id == team_id))
    return version or 0


def versions(session: Session, *, team_id: str) -> tuple[int, int, int]:
    """(directory, channels, settings) versions of the workspace; all 0 for an unknown team."""
    row = session.connection().execute(_VERSIONS, {"team_id": team_id}).first()
    return (int(row[0]), int(row[1]), int(row[2])) if row is not None else (0, 0, 0)


def bump_directory_version(session: Session, *, team_id: str) -> None:
    """Mark the customer directory changed, for every process's matcher cache."""
    session.execute(
        update(Workspace).where(Workspace.team_id == team_id).values(directory_version=Workspace.directory_version + 1)
    )


def bump_channels_version(session: Session, *, team_id: str) -> None:
    """Mark a channel's watched flag or linked customer changed, for every process's channel cache."""
    session.execute(
        update(Workspace).where(Workspace.team_id == team_id).values(channels_version=Workspace.channels_version + 1)
    )


def bump_settings_version(session: Session, *, team_id: str) -> None:
    """Mark the workspace's settings changed, for every process's cached nudge settings."""
    session.execute(
        update(Workspace).where(Workspace.team_id == team_id).values(settings_version=Workspace.settings_version + 1)
    )


def remember_enterprise(session: Session, *, team_id: str, enterprise_id: str, now: datetime) -> None:
    """Store the workspace's Enterprise Grid organisation (as a request from it named it)."""
    workspace = ensure(session, team_id=team_id, now=now)
    if workspace.enterprise_id != enterprise_id:
        workspace.enterprise_id = enterprise_id
