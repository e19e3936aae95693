"""Telling admins, once, that a channel they chose refused Rapport's post (archived, Rapport removed, gone)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import OutboxMessage
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows


def tell_admins_once(
    session: Session,
    row: OutboxMessage,
    *,
    setting: str,
    channel_id: str,
    code: str,
    kind: str,
    message: dict[str, Any],
    admins: frozenset[str],
    now: datetime,
) -> None:
    """The channel of `setting` refused `row` (Slack's `code`): once per channel, problem and settings version, the
    DM `message` to each admin who should know (those in RAPPORT_ADMINS, and whoever last chose that channel)."""
    chooser = settings_rows.changed_by(session, team_id=row.team_id, setting=setting)
    workspace = workspace_rows.get(session, team_id=row.team_id)
    version = workspace.settings_version if workspace is not None else 0
    prefix = setting.replace("_", "-")
    for admin in sorted({*admins, *([chooser] if chooser else [])}):
        outbox_rows.enqueue(
            session,
            team_id=row.team_id,
            kind=kind,
            idempotency_key=f"{prefix}:{channel_id}:{code}:{version}:{admin}",
            method="chat.postMessage",
            payload={"channel": admin, **message},
            not_before=now,
            now=now,
            lane=outbox_rows.INTERACTIVE,
        )
