"""Deleting a workspace's data: at once (`rapport purge --team T`), or by the retention job once the workspace has
been gone (uninstalled, or its bot token revoked) for longer than its retention period."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.db.queries import privacy as privacy_rows
from bot.db.queries import purge as purge_rows
from bot.runtime.deps import Deps
from bot.services.sending_holds import STOPPING_EVENTS

log = logging.getLogger(__name__)


def purge_workspace(deps: Deps, *, team_id: str) -> dict[str, int]:
    """Delete every row of the workspace (its installation included); how many went, by table."""
    with deps.engine.begin() as connection:
        removed = purge_rows.purge_team(connection, team_id=team_id, now=deps.clock())
    if deps.clients is not None:
        deps.clients.forget(team_id)
    log.warning("purged workspace %s: %d row(s)", team_id, sum(removed.values()))
    return removed


def purge_departed(deps: Deps, *, now: datetime) -> list[str]:
    """The retention job's part: purge each workspace that stopped (uninstalled, token revoked) longer ago than its
    retention period. A reinstall lifts the stop, and nothing is purged."""
    with deps.session_factory.begin() as session:
        periods = privacy_rows.retention_days_by_team(session)
    with deps.engine.connect() as connection:
        stopped = purge_rows.stopped_teams(connection, reasons=STOPPING_EVENTS)
    purged = []
    for team_id, since in sorted(stopped.items()):
        if isinstance(since, datetime) and since < now - timedelta(days=max(1, periods.get(team_id, 1))):
            purge_workspace(deps, team_id=team_id)
            purged.append(team_id)
    return purged
