"""OAuth installations (slack_sdk's slack_bots and slack_installations tables): which bot token serves a workspace,
and forgetting a workspace's install. The store (slack_sdk's SQLAlchemyInstallationStore) writes them; these are
the look-ups it has no method for."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, delete, desc, or_, select

from bot.db.models import BOTS, INSTALLATIONS, Workspace


def latest_bot(
    connection: Connection, *, client_id: str, team_id: str, enterprise_id: str | None
) -> dict[str, Any] | None:
    """The newest bot row with a token serving the workspace: installed into it, or (Enterprise Grid) installed
    org-wide into its organisation (`enterprise_id`, else the one its workspace row names); None if the app is not
    installed there."""
    c = BOTS.c
    organisation = (
        enterprise_id
        if enterprise_id
        else select(Workspace.enterprise_id).where(Workspace.team_id == team_id).scalar_subquery()
    )
    serving = or_(c.team_id == team_id, and_(c.is_enterprise_install.is_(True), c.enterprise_id == organisation))
    query = (
        select(BOTS)
        .where(c.client_id == client_id, serving, c.bot_token.is_not(None))
        .order_by(desc(c.installed_at))
        .limit(1)
    )
    row = connection.execute(query).mappings().first()
    return dict(row) if row is not None else None


def forget_team(connection: Connection, *, client_id: str, team_id: str) -> int:
    """Delete the workspace's installations and bots (the app was uninstalled, or its bot token revoked)."""
    removed = 0
    for table in (INSTALLATIONS, BOTS):
        result = connection.execute(delete(table).where(table.c.client_id == client_id, table.c.team_id == team_id))
        removed += int(result.rowcount or 0)
    return removed


def forget_enterprise(connection: Connection, *, client_id: str, enterprise_id: str) -> int:
    """Delete an organisation's org-wide installations and bots (uninstalled from the whole Enterprise Grid)."""
    removed = 0
    for table in (INSTALLATIONS, BOTS):
        c = table.c
        result = connection.execute(
            delete(table).where(
                c.client_id == client_id, c.enterprise_id == enterprise_id, c.is_enterprise_install.is_(True)
            )
        )
        removed += int(result.rowcount or 0)
    return removed


def installed(connection: Connection, *, client_id: str) -> list[dict[str, Any]]:
    """The newest bot row with a token of each installation: one per workspace installed into, and one per
    organisation installed org-wide; oldest install first."""
    c = BOTS.c
    rows = connection.execute(
        select(BOTS).where(c.client_id == client_id, c.bot_token.is_not(None)).order_by(desc(c.installed_at))
    ).mappings()
    newest: dict[tuple[bool, str | None], dict[str, Any]] = {}
    for row in rows:
        org_wide = bool(row["is_enterprise_install"])
        newest.setdefault((org_wide, row["enterprise_id"] if org_wide else row["team_id"]), dict(row))
    return sorted(newest.values(), key=lambda row: row["installed_at"])
