"""The periods the workspace's numbers are told for, in its own timezone: the weekly digest's week and the
stats' month; no I/O, every function takes `now`.

The digest's *week* is the seven days (workspace wall-clock time) ending at the digest moment, e.g. from last
Friday 15:00 to this Friday 15:00: consecutive digests neither overlap nor leave a gap. It is due from the
digest moment until the end of that ISO week (Sunday midnight, workspace time), and for at least a day: a bot
that was down at the moment still sends it later, never a previous week's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.when import zone

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_DAY = "fri"
DEFAULT_MINUTES = 15 * 60
LATE_AT_LEAST = timedelta(days=1)


@dataclass(frozen=True)
class DigestWeek:
    """The digest moment this week (UTC), the week it tells of, and until when a late digest may still go out."""

    label: str  # "2026-W48": the ISO week of the moment's local date
    start: datetime
    moment: datetime
    due_until: datetime

    def is_due(self, now: datetime) -> bool:
        """Whether the digest should go out at `now` (if it has not yet)."""
        return self.moment <= now < self.due_until


def _at(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz).astimezone(UTC)


def digest_week(now: datetime, *, day: str, minutes: int, tz: str) -> DigestWeek:
    """The latest digest moment at or before `now` (day and minutes after midnight, in zone `tz`) and its week."""
    where = zone(tz)
    weekday = DAYS.index(day.lower()) if day.lower() in DAYS else DAYS.index(DEFAULT_DAY)
    minutes = minutes if 0 <= minutes < 24 * 60 else DEFAULT_MINUTES
    local = now.astimezone(where)
    moment_day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    if _at(moment_day, minutes, where) > now:
        moment_day -= timedelta(days=7)
    moment = _at(moment_day, minutes, where)
    week_end = _at(moment_day + timedelta(days=7 - moment_day.weekday()), 0, where)
    year, week, _ = moment_day.isocalendar()
    return DigestWeek(
        label=f"{year}-W{week:02d}",
        start=_at(moment_day - timedelta(days=7), minutes, where),
        moment=moment,
        due_until=max(week_end, moment + LATE_AT_LEAST),
    )


def month_start(now: datetime, tz: str) -> datetime:
    """The UTC instant the current month began in the workspace's timezone."""
    local = now.astimezone(zone(tz))
    return datetime(local.year, local.month, 1, tzinfo=zone(tz)).astimezone(UTC)
