"""Privacy: forget-me, and the retention job that drops old excerpts and empties old outbox payloads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.db.models import (
    Mention,
    Nudge,
    NudgeCooldown,
    OutboxMessage,
    PromiseOffer,
    UserProfile,
    UserSettings,
    WorkspaceSettings,
)
from bot.db.queries._shared import rowcount


@dataclass(frozen=True)
class Forgotten:
    """What forget-me removed."""

    excerpts: int
    nudges: int
    settings: int


def forget_user(session: Session, *, team_id: str, user_id: str) -> Forgotten:
    """Remove a person's excerpts, nudge history and personal settings (mentions keep their metadata); where
    someone else's excerpt mentions them, the mention becomes "@someone"."""
    excerpts = session.execute(
        update(Mention)
        .where(Mention.team_id == team_id, Mention.user_id == user_id, Mention.excerpt.is_not(None))
        .values(excerpt=None)
    )
    # Excerpts are stored as Slack text, each person as exactly `<@ID>`.
    token = f"<@{user_id}>"
    session.execute(
        update(Mention)
        .where(Mention.team_id == team_id, Mention.excerpt.contains(token, autoescape=True))
        .values(excerpt=func.replace(Mention.excerpt, token, "@someone"))
        .execution_options(synchronize_session=False)
    )
    nudges = session.execute(delete(Nudge).where(Nudge.team_id == team_id, Nudge.user_id == user_id))
    session.execute(delete(NudgeCooldown).where(NudgeCooldown.team_id == team_id, NudgeCooldown.user_id == user_id))
    session.execute(delete(PromiseOffer).where(PromiseOffer.team_id == team_id, PromiseOffer.user_id == user_id))
    settings = session.execute(
        delete(UserSettings).where(UserSettings.team_id == team_id, UserSettings.user_id == user_id)
    )
    session.execute(delete(UserProfile).where(UserProfile.team_id == team_id, UserProfile.user_id == user_id))
    return Forgotten(excerpts=rowcount(excerpts), nudges=rowcount(nudges), settings=rowcount(settings))


def retention_days_by_team(session: Session) -> dict[str, int]:
    """Every workspace's retention period, in days, for the retention job (spans workspaces by design)."""
    rows = session.execute(select(WorkspaceSettings.team_id, WorkspaceSettings.retention_days))
    return {str(team_id): int(days) for team_id, days in rows}


def expire_excerpts(session: Session, *, team_id: str, before: datetime, limit: int) -> int:
    """Drop the excerpts of up to `limit` mentions made before `before`; the mentions stay. Returns how many."""
    ids = session.scalars(
        select(Mention.id)
        .where(Mention.team_id == team_id, Mention.mentioned_at < before, Mention.excerpt.is_not(None))
        .limit(limit)
    ).all()
    if not ids:
        return 0
    session.execute(update(Mention).where(Mention.team_id == team_id, Mention.id.in_(ids)).values(excerpt=None))
    return len(ids)


def expire_offer_notes(session: Session, *, team_id: str, before: datetime) -> int:
    """Forget the words of promise offers made before `before` and never answered; the offers stay."""
    result = session.execute(
        update(PromiseOffer)
        .where(PromiseOffer.team_id == team_id, PromiseOffer.created_at < before, PromiseOffer.note != "")
        .values(note="")
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


def redact_finished_outbox(
    session: Session, *, team_id: str, before: datetime, keep_kinds: Sequence[str], now: datetime, limit: int
) -> int:
    """Empty the payloads (which may quote user text) of up to `limit` finished outbox rows created before
    `before`; the rows stay, so their idempotency keys still stop duplicates. Returns how many."""
    ids = session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.state.in_(("sent", "failed", "skipped")),
            OutboxMessage.created_at < before,
            OutboxMessage.redacted_at.is_(None),
            OutboxMessage.kind.not_in(list(keep_kinds)),
        )
        .limit(limit)
    ).all()
    if not ids:
        return 0
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.team_id == team_id, OutboxMessage.id.in_(ids))
        .values(payload={}, redacted_at=now, last_error=None)
    )
    return len(ids)
