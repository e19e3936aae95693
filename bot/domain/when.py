"""*When* a follow-up is due: parsing the spec's phrases and resolving them in the owner's timezone; no I/O.

Parsing (`split_when`) reads a *when* off the front of a command's text and returns the rest as the note;
resolving (`resolve`) turns it into a UTC instant from `now`, the owner's timezone and the workspace's
working days. Every local time is built on the calendar (date + wall-clock time, then converted), so a
09:00 reminder stays at 09:00 across daylight-saving changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.errors import WHEN_FIELD, RapportError
from bot.domain.stored_lists import id_list

DEFAULT_TIME = time(9, 0)  # a date without a time
TONIGHT = time(19, 0)
MAX_AHEAD = timedelta(days=366)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_KEYS = tuple(d[:3] for d in WEEKDAYS)  # "mon", "tue", ... as stored in settings

WHEN_EXAMPLES = (
    "in 2 hours",
    "tomorrow",
    "tomorrow at 14:30",
    "friday at 9am",
    "next week",
    "in 3 days",
    "2026-12-01 at 10:00",
)


class BadWhen(RapportError):
    """A *when* that cannot be understood, lies in the past, or is too far away."""

    field = WHEN_FIELD


@dataclass(frozen=True)
class WorkWeek:
    """The workspace's working days (0 = Monday) and working hours (minutes after midnight)."""

    days: frozenset[int] = frozenset(range(5))
    start_minute: int = 9 * 60
    end_minute: int = 17 * 60

    @classmethod
    def from_settings(cls, days: str, start_minute: int, end_minute: int) -> WorkWeek:
        """From the stored form ("mon,tue,wed,thu,fri"); an empty or unreadable list means Monday to Friday."""
        parsed = frozenset(WEEKDAY_KEYS.index(d) for d in (p.lower()[:3] for p in id_list(days)) if d in WEEKDAY_KEYS)
        return cls(days=parsed or frozenset(range(5)), start_minute=start_minute, end_minute=end_minute)

    def is_working_day(self, day: date) -> bool:
        """Whether the workspace works on that date."""
        return day.weekday() in self.days

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (count ≥ 1); `day` itself never counts."""
        while count > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`."""
        return self.add_working_days(day, 1)


@dataclass(frozen=True)
class When:
    """A parsed *when*: an exact delay, or a day rule with an optional wall-clock time."""

    kind: str  # "delay" | "days" | "working_days" | "today" | "tonight" | "weekday" | "next_week" | "date"
    amount: int = 0  # minutes for "delay"; days for "days"/"working_days"; weekday for "weekday"
    day: date | None = None  # for "date"
    at: time | None = None
    text: str = ""  # the words it was read from, for messages


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone, or UTC when Slack gave none or one this machine does not know."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


_UNITS = {
    "m": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "d": 1440,
    "day": 1440,
    "days": 1440,
    "w": 10080,
    "wk": 10080,
    "wks": 10080,
    "week": 10080,
    "weeks": 10080,
}
_IN = re.compile(r"in\s+(?P<n>\d{1,6})\s*(?P<unit>[a-z]+)?(?=\s|$)")
_IN_WORKING = re.compile(r"in\s+(?P<n>\d{1,6})\s+(?:working|business)\s+days?(?=\s|$)")
_AT = re.compile(
    r"at\s+(?P<clock>(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?|noon|midday|midnight)(?=\s|$)"
)
_PREFIX = re.compile(r"(?:next|on|this)\s+")
_ISO = re.compile(r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?=\s|$)")


def _bad(message: str) -> BadWhen:
    return BadWhen(message, example="/followup Acme tomorrow at 10am call back about the drive")


def _read_at(text: str) -> tuple[time | None, str]:
    """An optional `at 9am` / `at 14:30` / `at noon` at the front of text; (time, rest)."""
    stripped = text.lstrip()
    lowered = stripped.lower()
    if not lowered.startswith("at "):
        return None, text
    match = _AT.match(lowered)
    if match is None:
        word = stripped[3:].split(maxsplit=1)[0] if stripped[3:].split() else ""
        raise _bad(f"“at {word}” is not a time I can read. Try “at 9am” or “at 14:30”.")
    clock, rest = match.group("clock"), stripped[match.end() :]
    if clock in ("noon", "midday"):
        return time(12, 0), rest
    if clock == "midnight":
        return time(0, 0), rest
    hour, minute, ampm = int(match.group("h")), int(match.group("m") or 0), match.group("ampm")
    if ampm:
        if not 1 <= hour <= 12:
            raise _bad(f"“{clock}” is not a time of day. Try “at 9am” or “at 14:30”.")
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise _bad(f"“{clock}” is not a time of day. Try “at 9am” or “at 14:30”.")
    return time(hour, minute), rest


def split_when(text: str) -> tuple[When | None, str]:
    """Read a *when* off the front of `text`; (when or None, the rest). Raises BadWhen for a garbled one."""
    stripped = text.lstrip()
    lowered = stripped.lower()
    first = lowered.split(maxsplit=1)[0] if lowered else ""

    def done(kind: str, consumed: int, **fields: object) -> tuple[When, str]:
        at, rest = _read_at(stripped[consumed:])
        words = stripped[: len(stripped) - len(rest)].strip()
        return When(kind=kind, at=at, text=words, **fields), rest.strip()  # type: ignore[arg-type]

    if first == "in" and (m := _IN_WORKING.match(lowered)):
        return done("working_days", m.end(), amount=int(m.group("n")))
    if first == "in" and (m := _IN.match(lowered)):
        n, unit = int(m.group("n")), (m.group("unit") or "")
        if unit not in _UNITS:
            raise _bad(f"“in {n} {unit}”: I can count minutes, hours, days and weeks, like “in 3 days”.")
        if n == 0:
            raise _bad("“in 0 …” is now. Say how long from now, like “in 2 hours”.")
        minutes = n * _UNITS[unit]
        if minutes > MAX_AHEAD / timedelta(minutes=1):
            raise _bad("That is more than a year away. Pick a date within the next year.")
        if _UNITS[unit] >= 1440:
            return done("days", m.end(), amount=minutes // 1440)
        when, rest = When(kind="delay", amount=minutes, text=stripped[: m.end()]), stripped[m.end() :]
        return when, rest.strip()
    for word, kind in (("today", "today"), ("tonight", "tonight"), ("tomorrow", "days")):
        if first == word:
            return done(kind, len(word), amount=1 if word == "tomorrow" else 0)
    if lowered.startswith("next week") and (len(lowered) == 9 or lowered[9].isspace()):
        return done("next_week", 9)
    consumed, word = 0, first
    if (prefix := _PREFIX.match(lowered)) and lowered[prefix.end() :]:
        consumed, word = prefix.end(), lowered[prefix.end() :].split(maxsplit=1)[0]
    for index, name in enumerate(WEEKDAYS):
        if word in (name, name[:3]):
            return done("weekday", consumed + len(word), amount=index)
    if m := _ISO.match(lowered):
        try:
            day = date(int(m.group("y")), int(m.group("mo")), int(m.group("d")))
        except ValueError:
            raise _bad(f"“{m.group(0)}” is not a real date. Dates are year-month-day, like 2026-12-01.") from None
        return done("date", m.end(), day=day)
    return None, text.strip()


def resolve(
    when: When | None, *, now: datetime, tz: ZoneInfo, week: WorkWeek, default_working_days: int = 2
) -> datetime:
    """The UTC instant a *when* means for someone in `tz` at `now`; BadWhen if past or over a year ahead.

    No *when* is the workspace default: `default_working_days` working days ahead, at 09:00.
    """
    local_now = now.astimezone(tz)
    today = local_now.date()

    def at(day: date, default: time = DEFAULT_TIME) -> datetime:
        wall = when.at if when is not None and when.at is not None else default
        return datetime.combine(day, wall, tzinfo=tz).astimezone(UTC)

    if when is None:
        due = at(week.add_working_days(today, max(1, default_working_days)))
    elif when.kind == "delay":
        due = now.astimezone(UTC) + timedelta(minutes=when.amount)
    elif when.kind == "days":
        due = at(today + timedelta(days=when.amount))
    elif when.kind == "working_days":
        if when.amount == 0:
            raise _bad("“in 0 working days” is now. Try “in 2 working days”.")
        due = at(week.add_working_days(today, when.amount))
    elif when.kind == "today":
        due = at(today)
        if when.at is None and due <= now:
            # "today" after 09:00 means before the working day ends.
            due = at(today, time(week.end_minute // 60, week.end_minute % 60))
    elif when.kind == "tonight":
        due = at(today, TONIGHT)
    elif when.kind == "weekday":
        ahead = (when.amount - today.weekday()) % 7 or 7
        due = at(today + timedelta(days=ahead))
    elif when.kind == "next_week":
        monday = today + timedelta(days=7 - today.weekday())
        days = (monday + timedelta(days=i) for i in range(7))
        due = at(next((d for d in days if week.is_working_day(d)), monday))
    else:
        assert when.day is not None
        due = at(when.day)
    if due <= now:
        shown = when.text if when is not None else "that"
        raise _bad(f"“{shown}” is already past ({local_now:%A %H:%M} where you are). Pick a time still ahead.")
    if due - now > MAX_AHEAD:
        raise _bad("That is more than a year away. Pick a date within the next year.")
    return due


# Longer than any real wait: a workspace that works 1 minute a week still reaches 600 minutes within this.
_WORKING_SEARCH_DAYS = 4000


def _working_spans(day: date, week: WorkWeek, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The UTC (opening, closing) of one day's working hours; None on a day off.

    Built on the wall clock, then converted, so a DST day's hours are still 09:00–17:00 local. Closing at or
    before opening means the hours run past midnight (a night shift; equal means round the clock).
    """
    if not week.is_working_day(day):
        return None
    midnight = datetime.combine(day, time(0))
    opening = midnight + timedelta(minutes=week.start_minute)
    closing = midnight + timedelta(minutes=week.end_minute)
    if closing <= opening:
        closing += timedelta(days=1)
    return opening.replace(tzinfo=tz).astimezone(UTC), closing.replace(tzinfo=tz).astimezone(UTC)


def add_working_minutes(start: datetime, minutes: int, week: WorkWeek, tz: ZoneInfo) -> datetime:
    """The UTC instant `minutes` working minutes after `start`; time outside working hours and days is skipped.

    Starting outside working hours counts from the next opening; a result on a closing time stays on it.
    """
    cursor = start.astimezone(UTC)
    remaining = timedelta(minutes=max(0, minutes))
    if not remaining:
        return cursor
    # From the day before: a night shift that began yesterday may still be running.
    day = cursor.astimezone(tz).date() - timedelta(days=1)
    for _ in range(_WORKING_SEARCH_DAYS):
        spans = _working_spans(day, week, tz)
        day += timedelta(days=1)
        if spans is None or spans[1] <= cursor:
            continue
        cursor = max(cursor, spans[0])
        available = spans[1] - cursor
        if remaining <= available:
            return cursor + remaining
        remaining -= available
        cursor = spans[1]
    raise ValueError("no working hours found: check the workspace's working days and hours")
