"""Purging a workspace: every row Rapport keeps for it, in every table (its installation included), children first.

Only an empty shell of the workspace row stays: its team id and its cache versions, bumped, so that every process's
cached directory, channels and settings of the workspace are dropped (versions starting again at 0 could meet a
process's stale cache at the same number). Its settings start again from the defaults. Spans tables by design, one
workspace at a time; the OAuth `state` rows name no workspace and expire on their own.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from bot.db.models import Base, SendingHold, Workspace, WorkspaceSettings


def purge_team(connection: Connection, *, team_id: str, now: datetime) -> dict[str, int]:
    """Delete the workspace's rows from every table that names a team; how many went from each (those with any)."""
    removed: dict[str, int] = {}
    workspaces = Workspace.__table__
    for table in reversed(Base.metadata.sorted_tables):
        if "team_id" not in table.c or table is workspaces:
            continue
        count = int(connection.execute(delete(table).where(table.c.team_id == team_id)).rowcount or 0)
        if count:
            removed[table.name] = count
    shell = connection.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id)
        .values(
            name="",
            url="",
            bot_user_id="",
            bot_id="",
            enterprise_id=None,
            directory_version=Workspace.directory_version + 1,
            channels_version=Workspace.channels_version + 1,
            settings_version=Workspace.settings_version + 1,
            updated_at=now,
        )
    )
    if shell.rowcount:
        connection.execute(insert(WorkspaceSettings).values(team_id=team_id, updated_at=now))
    return removed


def stopped_teams(connection: Connection, *, reasons: frozenset[str]) -> dict[str, object]:
    """The workspaces whose sending stopped for one of `reasons` (uninstalled, token revoked), and since when."""
    table = SendingHold.__table__
    rows = connection.execute(select(table.c.team_id, table.c.since).where(table.c.reason.in_(sorted(reasons))))
    return {str(team_id): since for team_id, since in rows}
