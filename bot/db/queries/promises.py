"""Promise offers: one per message at most, the daily count per person, answering an offer exactly once, and the
per-person switch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.db.models import FollowUp, PromiseOffer, UserSettings
from bot.db.queries._shared import insert_ignoring_conflicts, rowcount


def add(session: Session, *, team_id: str, **values: object) -> PromiseOffer | None:
    """Record an offer; None when this message already has one (a retry, or two processes at once)."""
    row = dict(team_id=team_id, state="offered", **values)
    if not insert_ignoring_conflicts(session, PromiseOffer, row):
        return None
    return session.scalars(
        select(PromiseOffer).where(
            PromiseOffer.team_id == team_id,
            PromiseOffer.channel_id == values["channel_id"],
            PromiseOffer.message_ts == values["message_ts"],
        )
    ).one()


def get(session: Session, *, team_id: str, offer_id: int) -> PromiseOffer | None:
    """The workspace's offer with this id, if any."""
    row = session.get(PromiseOffer, offer_id)
    return row if row is not None and row.team_id == team_id else None


def offered_since(session: Session, *, team_id: str, user_id: str, since: datetime) -> int:
    """How many offers a person was shown since `since`."""
    statement = select(func.count(PromiseOffer.id)).where(
        PromiseOffer.team_id == team_id, PromiseOffer.user_id == user_id, PromiseOffer.created_at > since
    )
    return int(session.scalar(statement) or 0)


def answer(session: Session, *, team_id: str, offer_id: int, state: str, now: datetime) -> bool:
    """Move an offer from offered to `state` (its note cleared unless accepted); False if it was answered before."""
    values: dict[str, object] = {"state": state, "answered_at": now}
    if state == "dismissed":
        values["note"] = ""
    result = session.execute(
        update(PromiseOffer)
        .where(PromiseOffer.team_id == team_id, PromiseOffer.id == offer_id, PromiseOffer.state == "offered")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


def link_followup(session: Session, *, team_id: str, offer_id: int, followup_id: int) -> None:
    """The follow-up an accepted offer became; its note now lives there."""
    session.execute(
        update(PromiseOffer)
        .where(PromiseOffer.team_id == team_id, PromiseOffer.id == offer_id)
        .values(followup_id=followup_id, note="")
        .execution_options(synchronize_session=False)
    )


def has_open_followup_near(
    session: Session, *, team_id: str, owner_user_id: str, customer_id: int, start: datetime, end: datetime
) -> bool:
    """Whether the person has an open follow-up for the customer due between `start` and `end`."""
    statement = (
        select(FollowUp.id)
        .where(
            FollowUp.team_id == team_id,
            FollowUp.owner_user_id == owner_user_id,
            FollowUp.customer_id == customer_id,
            FollowUp.state == "open",
            FollowUp.due_at >= start,
            FollowUp.due_at <= end,
        )
        .limit(1)
    )
    return session.scalar(statement) is not None


def user_promises_enabled(session: Session, *, team_id: str, user_id: str) -> bool:
    """Whether a person wants promise offers (yes, unless they turned them off)."""
    row = session.get(UserSettings, (team_id, user_id))
    return True if row is None else row.promises_enabled


def set_user_promises(session: Session, *, team_id: str, user_id: str, enabled: bool, now: datetime) -> None:
    """Turn a person's promise offers on or off."""
    row = session.get(UserSettings, (team_id, user_id))
    if row is None:
        insert_ignoring_conflicts(
            session,
            UserSettings,
            dict(team_id=team_id, user_id=user_id, nudges_enabled=True, promises_enabled=enabled, updated_at=now),
        )
        row = session.get(UserSettings, (team_id, user_id))
        assert row is not None
    row.promises_enabled, row.updated_at = enabled, now
