"""Follow-ups' timing rules: when the second reminder comes, and what counts as done on time; no I/O.

The first reminder comes at the due time; the second one working day later, at the same wall-clock time in
the owner's timezone. A follow-up done within a day of its due time is on time: acting on the reminder that
day (before the second reminder) counts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.when import WorkWeek, zone

ON_TIME_GRACE = timedelta(days=1)


def second_reminder_at(last_reminded_at: datetime, *, tz: str, week: WorkWeek) -> datetime:
    """One working day after a reminder, at the same wall-clock time in the owner's timezone."""
    local = last_reminded_at.astimezone(zone(tz))
    day = week.next_working_day(local.date())
    return datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone(tz)).astimezone(UTC)


def is_on_time(*, closed_at: datetime | None, due_at: datetime) -> bool:
    """Whether a follow-up closed at `closed_at` was done on time: within ON_TIME_GRACE of its due time."""
    return closed_at is not None and closed_at <= due_at + ON_TIME_GRACE
