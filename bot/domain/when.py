"""*When* a follow-up is due: resolving a parsed *when* in the owner's timezone, and working-time arithmetic; no I/O.

Parsing (`split_when`, in `bot.domain.when_grammar`) reads a *when* off a command's text and returns the rest as
the note; resolving (`resolve_due`, or `resolve` for the instant alone) turns it into a UTC instant from `now`, the
owner's timezone and the workspace's working week, refusing a past or too distant one with the time it meant.
Every local time is built on the calendar (date + wall-clock time, then converted), so a 09:00 reminder stays at
09:00 across daylight-saving changes; on the one night a wall-clock time does not exist (the spring-forward gap)
it lands just after the gap.

`describe_due` writes what a confirmation says: "Thursday 3 Dec at 15:00, your time (I read “at 3” as 15:00)".
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.stored_lists import id_list
from bot.domain.when_grammar import DATE_ORDERS, BadWhen, When, split_when

__all__ = [
    "DATE_ORDERS",
    "DEFAULT_TIME",
    "MAX_AHEAD",
    "TONIGHT",
    "WEEKDAYS",
    "WEEKDAY_KEYS",
    "WHEN_EXAMPLES",
    "BadWhen",
    "Due",
    "When",
    "WorkWeek",
    "add_working_minutes",
    "describe_due",
    "resolve",
    "resolve_due",
    "split_when",
    "zone",
]

DEFAULT_TIME = time(9, 0)  # a date without a time
TONIGHT = time(19, 0)
MAX_AHEAD = timedelta(days=366)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_KEYS = tuple(d[:3] for d in WEEKDAYS)  # "mon", "tue", ... as stored in settings
_RECENT_PAST = timedelta(days=90)  # a month-and-day this recently passed is refused as past, not next year's
_FAR = timedelta(days=400)  # beyond this a day is refused before any datetime is built (no overflow near year 1)

WHEN_EXAMPLES = (
    "in 2 hours",
    "tomorrow at 3pm",
    "friday at 5",
    "EOD",
    "end of week",
    "wednesday next week",
    "Dec 15",
    "in 2h30m",
)


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


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone, or UTC when Slack gave none or one this machine does not know."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class Due:
    """When a follow-up is due, and what its confirmation should say about how the *when* was read."""

    at: datetime  # UTC
    local: datetime  # the same instant in the owner's timezone
    words: str  # the *when* as typed; "" for the workspace default
    assumptions: tuple[str, ...] = ()  # each reads after "I read …": "“at 3” as 15:00"


def resolve(
    when: When | None, *, now: datetime, tz: ZoneInfo, week: WorkWeek, default_working_days: int = 2
) -> datetime:
    """The UTC instant a *when* means for someone in `tz` at `now`; BadWhen if past or over a year ahead.

    No *when* is the workspace default: `default_working_days` working days ahead, at 09:00.
    """
    return resolve_due(when, now=now, tz=tz, week=week, default_working_days=default_working_days).at


def resolve_due(
    when: When | None, *, now: datetime, tz: ZoneInfo, week: WorkWeek, default_working_days: int = 2
) -> Due:
    """`resolve`, with the words it was read from and every assumption made, for the confirmation."""
    local_now = now.astimezone(tz)
    today = local_now.date()
    if when is None:
        due = _wall(week.add_working_days(today, max(1, default_working_days)), DEFAULT_TIME, "", week, tz)
        return Due(at=due, local=due.astimezone(tz), words="")
    notes = list(when.assumptions)
    if when.kind == "delay":
        due = now.astimezone(UTC) + timedelta(minutes=when.amount)
    else:
        day = _day_of(when, today=today, week=week)
        if day - today > _FAR:
            raise BadWhen("That is more than a year away. Pick a date within the next year.")
        if today - day > _FAR:
            raise BadWhen(
                f"*{when.text or 'That'}* means {day.day} {day:%b %Y}, which is already past. Pick a time still ahead."
            )
        _check_weekday(when, day)
        due = _wall(day, when.at, when.anchor, week, tz, default=TONIGHT if when.kind == "tonight" else DEFAULT_TIME)
        if when.kind == "clock" and due <= now:
            due = _wall(day + timedelta(days=1), when.at, when.anchor, week, tz)
            if notes and notes[-1].startswith(f"“{when.text}” as "):
                notes[-1] += " tomorrow, as today's has passed"
            else:
                notes.append(f"“{when.text}” as tomorrow, as today's has passed")
        elif when.kind == "today" and when.at is None and not when.anchor and due <= now:
            # "today" after 09:00 means before the working day ends.
            due = _wall(today, None, "end", week, tz)
    if due <= now:
        raise _past(when, due=due.astimezone(tz), local_now=local_now)
    if due - now > MAX_AHEAD:
        raise BadWhen("That is more than a year away. Pick a date within the next year.")
    return Due(at=due, local=due.astimezone(tz), words=when.text, assumptions=tuple(notes))


def describe_due(due: Due, *, now: datetime) -> str:
    """What a confirmation says: "Thursday 3 Dec at 15:00, your time (I read “at 3” as 15:00)"."""
    text = f"{_day_words(due.local, now=now)}, your time"
    return f"{text} (I read {'; '.join(due.assumptions)})" if due.assumptions else text


def _day_words(local: datetime, *, now: datetime) -> str:
    year = f" {local.year}" if local.year != now.astimezone(local.tzinfo).year else ""
    return f"{local:%A} {local.day} {local:%b}{year} at {local:%H:%M}"


def _past(when: When, *, due: datetime, local_now: datetime) -> BadWhen:
    shown = f"*{when.text}*" if when.text else "That"
    meant = _day_words(due, now=local_now)
    suggestion = None
    if when.bare_hour and when.at is not None and when.at.hour < 12 and when.text[-1:].isdigit():
        suggestion = f"{when.text}pm"  # "today at 9" at 10:00: they may mean 21:00
    hint = f" Did you mean `{suggestion}`?" if suggestion else " Pick a time still ahead."
    return BadWhen(
        f"{shown} means {meant}, which is already past ({local_now:%A %H:%M} where you are).{hint}",
        suggestion=suggestion,
    )


def _wall(
    day: date, at: time | None, anchor: str, week: WorkWeek, tz: ZoneInfo, default: time = DEFAULT_TIME
) -> datetime:
    """The UTC instant of a wall-clock time on a day in `tz` (or of the working day's start or end, or midnight)."""
    if not anchor:
        return datetime.combine(day, at or default, tzinfo=tz).astimezone(UTC)
    if anchor == "start":
        minutes = week.start_minute
    elif anchor == "end":
        # Hours that close at or before they open run past midnight (a night shift): its end is the next day.
        minutes = week.end_minute + (1440 if week.end_minute <= week.start_minute else 0)
    else:
        minutes = 1440  # "midnight": the 00:00 that ends the day
    local = datetime.combine(day, time(0)) + timedelta(minutes=minutes)
    return local.replace(tzinfo=tz).astimezone(UTC)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _first_working(first: date, days: int, week: WorkWeek) -> date:
    """The first working day of the `days` days from `first`; `first` itself if none is."""
    return next((d for d in (first + timedelta(days=i) for i in range(days)) if week.is_working_day(d)), first)


def _last_working(last: date, days: int, week: WorkWeek) -> date:
    """The last working day of the `days` days up to `last`; `last` itself if none is."""
    return next((d for d in (last - timedelta(days=i) for i in range(days)) if week.is_working_day(d)), last)


def _end_of_working_week(day: date, week: WorkWeek) -> date:
    """The last day of the run of working days `day` is in (or, on a day off, of the next run).

    Runs, not calendar weeks, so a Sunday-to-Thursday workspace's week ends on Thursday; a workspace that works
    every day ends its week on Sunday.
    """
    if not week.is_working_day(day):
        day = week.next_working_day(day)
    every_day = len(week.days) == 7
    while week.is_working_day(day + timedelta(days=1)) and not (every_day and day.weekday() == 6):
        day += timedelta(days=1)
    return day


def _day_of(when: When, *, today: date, week: WorkWeek) -> date:
    """The local date a day rule means from `today`."""
    kind = when.kind
    if kind in ("today", "tonight", "clock"):
        return today
    if kind == "days":
        return today + timedelta(days=when.amount)
    if kind == "working_days":
        if when.amount <= 0:
            raise BadWhen("*in 0 working days* is now. Try `in 2 working days`.")
        return week.add_working_days(today, when.amount)
    if kind == "months":
        return _add_months(today, when.amount)
    if kind == "weekday":
        if when.weeks < 0:
            return today - timedelta(days=(today.weekday() - when.amount) % 7 or 7)
        return today + timedelta(days=((when.amount - today.weekday()) % 7 or 7) + 7 * when.weeks)
    if kind == "week_weekday":
        return _monday(today) + timedelta(days=7 * when.weeks + when.amount)
    if kind in ("next_week", "week"):
        weeks = 1 if kind == "next_week" else when.weeks
        return _first_working(_monday(today) + timedelta(days=7 * weeks), 7, week)
    if kind == "end_of_week":
        end = _end_of_working_week(today, week)
        for _ in range(max(0, when.weeks)):
            end = _end_of_working_week(week.next_working_day(end), week)
        return end
    first_of_month = _add_months(today.replace(day=1), when.amount)
    if kind == "month_start":
        return _first_working(first_of_month, calendar.monthrange(first_of_month.year, first_of_month.month)[1], week)
    if kind == "end_of_month":
        length = calendar.monthrange(first_of_month.year, first_of_month.month)[1]
        return _last_working(first_of_month.replace(day=length), length, week)
    if kind == "date" and when.day is not None:
        return when.day
    if kind == "month_day":
        for year in range(today.year, today.year + 5):
            if when.amount > calendar.monthrange(year, when.month)[1]:
                continue  # Feb 29 outside a leap year
            candidate = date(year, when.month, when.amount)
            if candidate >= today or today - candidate <= _RECENT_PAST:
                return candidate
    if kind == "day_of_month":
        for ahead in range(13):
            month = _add_months(today.replace(day=1), ahead)
            if when.amount <= calendar.monthrange(month.year, month.month)[1]:
                candidate = month.replace(day=when.amount)
                if candidate >= today:
                    return candidate
    raise BadWhen(f"“{when.text or when.kind}” is not a day I can find. Try one like `Dec 15`.")


def _check_weekday(when: When, day: date) -> None:
    """A weekday typed with a date ("friday the 20th") must be that date's."""
    if when.weekday_check is not None and day.weekday() != when.weekday_check:
        typed = WEEKDAYS[when.weekday_check].capitalize()
        raise BadWhen(
            f"*{when.text}*: {day.day} {day:%b} is a {day:%A}, not a {typed}. Try `{day:%b} {day.day}`.",
            suggestion=f"{day:%b} {day.day}",
        )


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
