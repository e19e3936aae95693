"""When relationship nudges are due: the weekly "gone quiet" DM and customer-since anniversaries; no I/O.

Both are due at 09:00 in the owner's own timezone: the quiet DM on Monday (a bot that was down on Monday
still sends it later that working week, but never a previous week's), an anniversary on its day only.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

NUDGE_TIME = time(9, 0)
QUIET_CATCH_UP_DAYS = 5  # Monday to Friday
MAX_YEARS = 200  # the oldest relationship whose anniversary is looked for


def quiet_week(now: datetime, tz: ZoneInfo) -> tuple[date, datetime, datetime]:
    """The owner's current local week: its Monday, and the UTC instants its quiet DM is due from and until.

    Due from Monday 09:00 until Friday ends, the owner's time: a bot down on Monday still sends the week's
    DM later in the week, but not over the weekend, when the next Monday's is about to come.
    """
    local = now.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    start = datetime.combine(monday, NUDGE_TIME, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(monday + timedelta(days=QUIET_CATCH_UP_DAYS), time(0, 0), tzinfo=tz).astimezone(UTC)
    return monday, start, end


def is_quiet(last_touch: datetime, *, at: datetime, quiet_days: int) -> bool:
    """Whether a customer last touched at `last_touch` has had no touch for `quiet_days` days at `at`."""
    return last_touch <= at - timedelta(days=quiet_days)


def anniversary_in(since: date, year: int) -> date:
    """The customer-since anniversary in `year`; a February 29 falls on February 28 in other years."""
    if since.month == 2 and since.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return since.replace(year=year)


def anniversary_years(since: date, day: date) -> int:
    """Whole years of the relationship if `day` is its anniversary (1 or more), else 0."""
    years = day.year - since.year
    return years if years >= 1 and anniversary_in(since, day.year) == day else 0


def since_dates_for(day: date, *, max_years: int = MAX_YEARS) -> list[date]:
    """Every customer-since date whose anniversary is `day` (1 to `max_years` years before it)."""
    return [d for year in range(day.year - max_years, day.year) for d in _dates_in(year, day)]


def _dates_in(year: int, day: date) -> list[date]:
    # Feb 29 exists only in leap years; in other years its anniversary is Feb 28.
    candidates = [date(year, day.month, day.day)] if calendar.isleap(year) or (day.month, day.day) != (2, 29) else []
    if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year) and calendar.isleap(year):
        candidates.append(date(year, 2, 29))
    return candidates


def relationship_start(*, since: date | None, created_at: datetime) -> datetime:
    """Where quiet is counted from when a customer has no touch: when it was added, or its since date if later.

    Rapport knows nothing of a relationship before the customer was added, so a freshly imported customer
    is not quiet at once, whatever its customer-since date.
    """
    if since is None:
        return created_at
    return max(created_at, datetime.combine(since, time(0, 0), tzinfo=UTC))
