"""Repeating follow-ups: starting a rhythm with its first occurrence, planning the next when one is done or
cancelled, rolling on when an occurrence's successor comes while it is still open, and stopping.

One open occurrence at a time. An occurrence is an ordinary follow-up (reminders, snooze, edit, reassign); the
rhythm keeps its owner, customer, note and zone. When the next occurrence's time comes and the current one is
still open (ignored, or the bot was down for several periods), the current one is closed as cancelled by nobody
and only the latest occurrence that has come is created, so its reminder is the one sent: no flood.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.db.models import FollowUp, Recurrence
from bot.db.queries import followups as followup_rows
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import recurrences as recurrence_rows
from bot.db.queries import settings as settings_rows
from bot.domain.recurrence import Rule, anchored, describe, next_occurrence
from bot.domain.when import WorkWeek, zone
from bot.runtime.deps import Deps
from bot.services import home
from bot.services.followup_views import rule_of

ROLL_BATCH = 200


def work_week(session: Session, *, team_id: str, now: datetime) -> WorkWeek:
    """The workspace's working days and hours."""
    settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
    return WorkWeek.from_settings(settings.working_days, settings.working_hours_start, settings.working_hours_end)


def first_due(rule: Rule, *, now: datetime, tz: ZoneInfo, week: WorkWeek) -> tuple[Rule, datetime]:
    """The rule anchored on the owner's today, and its first occurrence after `now`."""
    rule = anchored(rule, now.astimezone(tz).date())
    return rule, next_occurrence(rule, now, tz, week)


def start(
    session: Session,
    *,
    team_id: str,
    owner: str,
    customer_id: int | None,
    note: str,
    rule: Rule,
    tz: str,
    now: datetime,
    created_by: str,
    source: tuple[str | None, str | None],
) -> FollowUp:
    """A new rhythm and its first occurrence (a follow-up due at the first time the rule gives after `now`)."""
    week = work_week(session, team_id=team_id, now=now)
    rule, due = first_due(rule, now=now, tz=zone(tz), week=week)
    assert rule.start is not None
    recurrence = recurrence_rows.add(
        session,
        team_id=team_id,
        owner_user_id=owner,
        customer_id=customer_id,
        note=note,
        unit=rule.unit,
        interval=rule.interval,
        weekday=rule.weekday,
        month_day=rule.month_day,
        month=rule.month,
        at_minute=rule.at.hour * 60 + rule.at.minute,
        start_day=rule.start,
        rule_text=rule.words[:200],
        tz=tz,
        occurrence_due=due,
        next_due=next_occurrence(rule, due, zone(tz), week),
        created_by=created_by,
        created_at=now,
    )
    return _occurrence(session, recurrence, due=due, now=now, source=source)


def _occurrence(
    session: Session, recurrence: Recurrence, *, due: datetime, now: datetime, source: tuple[str | None, str | None]
) -> FollowUp:
    return followup_rows.add(
        session,
        team_id=recurrence.team_id,
        owner_user_id=recurrence.owner_user_id,
        customer_id=recurrence.customer_id,
        kind="followup",
        note=recurrence.note,
        source_channel_id=source[0],
        source_ts=source[1],
        recurrence_id=recurrence.id,
        due_at=due,
        created_by=recurrence.created_by,
        created_at=now,
    )


def plan_next(session: Session, closed: FollowUp, *, now: datetime) -> FollowUp | None:
    """After an occurrence is done or cancelled: the next one, due at the first occurrence after both the closed
    one's time and `now` (done late, the missed ones are not made up). None for a one-off, a stopped rhythm, or
    when another occurrence is already open."""
    if closed.recurrence_id is None:
        return None
    recurrence = recurrence_rows.get_locked(session, team_id=closed.team_id, recurrence_id=closed.recurrence_id)
    if recurrence is None or recurrence.stopped_at is not None:
        return None
    if recurrence_rows.open_occurrences(session, team_id=closed.team_id, recurrence_id=recurrence.id):
        return None
    week = work_week(session, team_id=closed.team_id, now=now)
    rule, tz = rule_of(recurrence), zone(recurrence.tz)
    due = next_occurrence(rule, max(now, recurrence.occurrence_due), tz, week)
    recurrence.occurrence_due, recurrence.next_due = due, next_occurrence(rule, due, tz, week)
    return _occurrence(session, recurrence, due=due, now=now, source=(None, None))


def roll_due(deps: Deps, *, now: datetime, limit: int = ROLL_BATCH) -> int:
    """Every rhythm whose next occurrence has come: its still-open occurrence is closed (cancelled by nobody, its
    unsent reminder withdrawn) and the latest occurrence that has come is created; the reminder job then sends
    its reminder. How many occurrences were created."""
    created = 0
    while True:
        with deps.session_factory.begin() as session:
            rows = recurrence_rows.to_roll(session, now=now, limit=limit)
            for recurrence in rows:
                _roll(session, recurrence, now=now)
                home.refresh(session, team_id=recurrence.team_id, user_ids=[recurrence.owner_user_id], now=now)
            created += len(rows)
        if len(rows) < limit:
            return created


def _roll(session: Session, recurrence: Recurrence, *, now: datetime) -> None:
    week = work_week(session, team_id=recurrence.team_id, now=now)
    rule, tz = rule_of(recurrence), zone(recurrence.tz)
    latest = recurrence.next_due
    while (following := next_occurrence(rule, latest, tz, week)) <= now:
        latest = following  # after downtime: only the latest occurrence that has come
    for missed in recurrence_rows.open_occurrences(session, team_id=recurrence.team_id, recurrence_id=recurrence.id):
        missed.state, missed.closed_by, missed.closed_at = "cancelled", None, now
        for dm in outbox_rows.with_key_prefix(
            session, team_id=missed.team_id, kind="reminder", prefix=f"reminder:{missed.id}:"
        ):
            outbox_rows.skip_pending(session, row_id=dm.id)
    recurrence.occurrence_due, recurrence.next_due = latest, following
    _occurrence(session, recurrence, due=latest, now=now, source=(None, None))


def stop(session: Session, occurrence: FollowUp, *, user_id: str, now: datetime) -> bool:
    """Stop an occurrence's rhythm (the occurrence itself stays open); False if it was stopped already."""
    if occurrence.recurrence_id is None:
        return False
    recurrence = recurrence_rows.get_locked(session, team_id=occurrence.team_id, recurrence_id=occurrence.recurrence_id)
    if recurrence is None or recurrence.stopped_at is not None:
        return False
    recurrence.stopped_at, recurrence.stopped_by = now, user_id
    return True


def rhythm_words(recurrence: Recurrence) -> str:
    """The rhythm without its time, for lists: "every 2 weeks on Tuesday"."""
    return describe(rule_of(recurrence), with_time=False)


def next_local(recurrence: Recurrence, *, open_due: datetime | None, now: datetime) -> datetime:
    """When the rhythm next comes, in its zone: the open occurrence if still ahead, else the one after it."""
    due = open_due if open_due is not None and open_due > now else recurrence.next_due
    return due.astimezone(UTC).astimezone(zone(recurrence.tz))


def customer_rhythms(session: Session, *, team_id: str, customer_id: int, now: datetime) -> tuple[str, ...]:
    """A customer card's lines: "every 2 weeks on Tuesday, next Tue 15 Dec (<@U…>)"."""
    lines = []
    for recurrence in recurrence_rows.running_of_customer(session, team_id=team_id, customer_id=customer_id):
        current = recurrence_rows.open_occurrences(session, team_id=team_id, recurrence_id=recurrence.id)
        local = next_local(recurrence, open_due=current[0].due_at if current else None, now=now)
        lines.append(
            f"{rhythm_words(recurrence)}, next {local:%a} {local.day} {local:%b} (<@{recurrence.owner_user_id}>)"
        )
    return tuple(lines)
