"""Repeating follow-ups: reading a rhythm ("every 2 weeks", "every month on the 1st", "every monday at 10am") and
finding its next occurrence; no clock, no I/O.

`split_recurrence(text)` reads a rule off the front of a follow-up's text (the part after the customer) and returns
the rest as the note; text that does not start with `every`/`each` is left alone (None). `anchored(rule, today)`
fixes where the rhythm starts; `next_occurrence(rule, after, tz, workweek)` is the first occurrence strictly after
an instant, as a UTC instant.

Decisions (each one has a unit test in tests/unit/test_recurrence.py):
- Supported: `every day` and `every weekday` (both: every working day of the workspace), `every N days`,
  `every week`, `every other week`, `every N weeks`, `every fortnight`, `every monday` (also `every other monday`,
  `every 2 weeks on tuesday`), `every month`, `every N months`, `every quarter` (3 months), `every month on the
  1st` (`on the 15th`, `on the last day`), `every year`; each optionally with `at 10am` / `at 14:30` / `at noon`.
  An hour without am/pm is read as `/followup` reads it (1-7 is the afternoon) and the reading is reported.
- A rule without a time is due at 09:00 in the owner's timezone. Every local time is built on the calendar, so
  09:00 stays 09:00 across daylight-saving changes (in the spring-forward gap it lands just after the gap).
- A rule that names no day starts one period from today: `every 2 weeks` is first due in 2 weeks, on today's
  weekday; `every month` on today's day of the month, next month. `every monday` starts on the coming Monday (today,
  if its time is still ahead); `every month on the 1st` on the coming 1st.
- A day of the month the month does not have is its last day ("every month on the 31st" is 28 or 29 February);
  `every year` from 29 February is 28 February in the other years.
- An occurrence on a non-working day moves to the next working day (a monthly one on Saturday the 1st is due
  Monday the 3rd); `every day` skips non-working days instead of doubling the next one.
- A rhythm at the end of the note ("check in every 2 weeks") is refused, saying to put it first.
- Refused with a suggestion, never guessed: `every 2nd tuesday` (every other Tuesday, or the 2nd Tuesday of the
  month?), `every monday and thursday` (make two), `every 2 hours` (follow-ups repeat at most daily), a second
  time after the rule (`every monday … on friday`), and anything after `every` that is not a rhythm.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.when import DEFAULT_TIME, WEEKDAYS, BadWhen, WorkWeek, split_when

__all__ = ["UNITS", "Rule", "anchored", "describe", "next_occurrence", "refuse_trailing_rule", "split_recurrence"]

UNITS = ("workday", "day", "week", "month", "year")
MAX_INTERVAL = {"day": 366, "week": 52, "month": 24, "year": 5}
EXAMPLE = "/followup Acme every 2 weeks check in"
SUGGESTIONS = "`every 2 weeks`, `every monday at 10am` or `every month on the 1st`"

_STARTERS = frozenset({"every", "each"})
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "other": 2}
_UNIT_WORDS = {
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "month": "month",
    "months": "month",
    "year": "year",
    "years": "year",
}
_TOO_OFTEN = frozenset({"minute", "minutes", "min", "mins", "hour", "hours", "h", "hr", "hrs", "morning", "evening"})
_ORDINAL = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?")
_ORDINAL_WORDS = frozenset({"first", "second", "third", "fourth", "fifth", "last"})
_TIME = re.compile(r"(?:(?:at|@)\s*)?(?:(noon|midday)|(\d{1,2})(?::(\d{2}))?\s*(am|pm)?)(?=\s|$|[,.;!])", re.I)
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class Rule:
    """A rhythm: every `interval` units (a working day, days, weeks, months, years), on a weekday (weekly) or a day
    of the month (monthly), at a local time; `start` is where it was anchored (None until `anchored`)."""

    unit: str
    interval: int = 1
    weekday: int | None = None  # weekly: 0 = Monday
    month_day: int | None = None  # monthly (1-31, clamped to the month's last day) and yearly
    month: int | None = None  # yearly
    at: time = DEFAULT_TIME
    start: date | None = None
    words: str = ""  # as typed
    assumptions: tuple[str, ...] = ()  # each reads after "I read …"


def split_recurrence(text: str) -> tuple[Rule | None, str]:
    """A rule read off the front of `text` and the rest (the note); (None, text) when it does not start with
    `every`/`each`. BadWhen, with a suggestion, for a rule that is not fully understood."""
    tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    keys = [t[0].lower().strip(",.;:!?") for t in tokens]
    if not keys or keys[0] not in _STARTERS:
        return None, text
    rule, used = _read(keys, text)
    end = tokens[used - 1][2] if used else 0
    rule, end = _read_time(rule, text, end)
    words = " ".join(text[:end].split())
    rest = text[end:].strip(" ,;:-–—")
    _refuse_second_time(words, rest)
    return replace(rule, words=words), rest


def refuse_trailing_rule(note: str) -> None:
    """A rhythm at the end of a note ("check in every 2 weeks") would be silently dropped: BadWhen, saying to put
    it first. Words after `every` that are no rhythm ("every invoice since May") are the note's."""
    tokens = list(_TOKEN.finditer(note))
    for token in tokens[1:]:
        if token.group(0).lower() not in _STARTERS:
            continue
        try:
            rule, rest = split_recurrence(note[token.start() :])
        except BadWhen:
            continue
        if rule is not None and not rest:
            before = " ".join(note[: token.start()].split())
            raise _bad(
                f"*{rule.words}* repeats: put it first, before the note, like `{rule.words} {before}`.", rule.words
            )


def _bad(message: str, suggestion: str | None = None) -> BadWhen:
    example = f"/followup Acme {suggestion} check in" if suggestion else EXAMPLE
    return BadWhen(message, example=example, suggestion=suggestion)


def _read(keys: list[str], text: str) -> tuple[Rule, int]:
    """The rule's words after `every` (without the time); (rule, tokens used)."""
    key = lambda i: keys[i] if i < len(keys) else ""  # noqa: E731
    i, interval = 1, 1
    typed = " ".join(text.split()[:3])
    if _ORDINAL.fullmatch(key(i)) and key(i)[-2:] in ("st", "nd", "rd", "th") or key(i) in _ORDINAL_WORDS:
        if _weekday(key(i + 1)) is not None:
            day = _weekday(key(i + 1))
            assert day is not None
            name = WEEKDAYS[day]
            raise _bad(
                f"*{typed}* could mean every other {name.capitalize()} or one {name.capitalize()} a month; I can't "
                f"keep that rhythm yet. Try `every other {name}` or `every month on the 9th`.",
                f"every other {name}",
            )
        raise _bad(f"I can't read *{typed}* as a rhythm. Try {SUGGESTIONS}.", "every 2 weeks")
    if key(i).isdigit() or key(i) in _NUMBER_WORDS:
        interval = int(key(i)) if key(i).isdigit() else _NUMBER_WORDS[key(i)]
        i += 1
    unit_key = key(i)
    if unit_key in _TOO_OFTEN:
        raise _bad("Follow-ups repeat at most once a day. Try `every day at 9`.", "every day at 9")
    weekday = _weekday(unit_key)
    if weekday is not None:
        rule, i = Rule(unit="week", interval=interval, weekday=weekday), i + 1
    elif (
        unit_key in ("weekday", "weekdays", "workday", "workdays")
        or unit_key in ("working", "business")
        and (key(i + 1) in ("day", "days"))
    ):
        if interval != 1:
            raise _bad(f"I can't read *{typed}* as a rhythm. Try `every weekday at 9`.", "every weekday at 9")
        rule, i = Rule(unit="workday"), i + (2 if unit_key in ("working", "business") else 1)
    elif unit_key in ("fortnight", "quarter"):
        if interval != 1:
            raise _bad(f"I can't read *{typed}* as a rhythm. Try {SUGGESTIONS}.", "every 2 weeks")
        rule = Rule(unit="week", interval=2) if unit_key == "fortnight" else Rule(unit="month", interval=3)
        i += 1
    elif unit_key in _UNIT_WORDS:
        unit = _UNIT_WORDS[unit_key]
        rule = Rule(unit="workday") if unit == "day" and interval == 1 else Rule(unit=unit, interval=interval)
        i += 1
    else:
        raise _bad(f"I can't read *{typed}* as a rhythm. Try {SUGGESTIONS}.", "every 2 weeks")
    if interval < 1 or interval > MAX_INTERVAL.get(rule.unit, 1):
        raise _bad(f"*{typed}* is not a rhythm I can keep. Try {SUGGESTIONS}.", "every 2 weeks")
    rule, i = _read_on(rule, keys, i, typed)
    if key(i) in ("and", "&") or (key(i) == "," and _weekday(key(i + 1)) is not None) or _weekday(key(i)) is not None:
        raise _bad(
            f"A follow-up repeats on one day. For *{' '.join(text.split()[: i + 2])}*, make one per day, "
            "like `every monday` and `every thursday`.",
            "every monday",
        )
    return rule, i


def _read_on(rule: Rule, keys: list[str], i: int, typed: str) -> tuple[Rule, int]:
    """`on tuesday` after a weekly rule, `on the 1st` / `on the last day` after a monthly one."""
    key = lambda j: keys[j] if j < len(keys) else ""  # noqa: E731
    if key(i) != "on":
        return rule, i
    j = i + 1
    if rule.unit == "week" and rule.weekday is None and _weekday(key(j)) is not None:
        return replace(rule, weekday=_weekday(key(j))), j + 1
    if rule.unit == "month":
        if key(j) == "the":
            j += 1
        if key(j) == "last" and key(j + 1) == "day":
            return replace(rule, month_day=31), j + 2
        match = _ORDINAL.fullmatch(key(j))
        if match:
            day = int(match.group(1))
            if not 1 <= day <= 31:
                raise _bad(f"No month has a day {day}. Try `every month on the 1st`.", "every month on the 1st")
            return replace(rule, month_day=day), j + (2 if key(j + 1) == "day" else 1)
        if _weekday(key(j)) is not None or key(j) in _ORDINAL_WORDS:
            raise _bad(
                f"I can't keep *{typed} on {key(j)} …* yet: try `every month on the 1st` (a day of the month).",
                "every month on the 1st",
            )
    return rule, i  # "on" belongs to the note ("every week on the billing call")


def _weekday(word: str) -> int | None:
    word = word.rstrip("s") if len(word) > 3 else word
    for index, name in enumerate(WEEKDAYS):
        if word in (name, name[:3], name.rstrip("s")) or (len(word) >= 3 and name.startswith(word) and word != "sat"):
            return index
    return 5 if word == "sat" else None


def _read_time(rule: Rule, text: str, end: int) -> tuple[Rule, int]:
    """`at 10am`, `at 9`, `14:30`, `at noon` right after the rule; a bare number needs `at`, a colon or am/pm."""
    rest = text[end:]
    stripped = rest.lstrip(" ,")
    match = _TIME.match(stripped)
    if match is None:
        return rule, end
    raw = match.group(0)
    has_at = raw.lower().startswith(("at", "@"))
    noon, hour_text, minute_text, half = match.group(1), match.group(2), match.group(3), (match.group(4) or "").lower()
    if noon:
        return replace(rule, at=time(12)), end + (len(rest) - len(stripped)) + match.end()
    if not (has_at or minute_text or half):
        return rule, end  # "every monday 2 invoices": the number is the note's (checked for a time below)
    hour, minute = int(hour_text), int(minute_text or 0)
    assumptions = rule.assumptions
    if half:
        if not 1 <= hour <= 12:
            raise _bad(f"*{raw.strip()}* is not a time. Try `at 10am`.", "every monday at 10am")
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif 1 <= hour <= 7 and not hour_text.startswith("0"):
        assumptions += (f"“{raw.strip()}” as {hour + 12:02d}:{minute:02d}",)
        hour += 12
    if hour > 23 or minute > 59:
        raise _bad(f"*{raw.strip()}* is not a time. Try `at 10am`.", "every monday at 10am")
    return replace(rule, at=time(hour, minute), assumptions=assumptions), end + (
        len(rest) - len(stripped)
    ) + match.end()


def _refuse_second_time(words: str, rest: str) -> None:
    """A rule says its own day and time: a *when* in the note too ("every monday … on friday") is refused."""
    if not rest:
        return
    try:
        when, _ = split_when(rest)
    except BadWhen:
        when = None  # the note's own words; nothing there reads as a second time
    if when is not None:
        raise _bad(
            f"I read *{words}* and then *{when.text}*: a repeating follow-up takes its day and time in the rule. "
            "Try `every friday at 10am`.",
            "every friday at 10am",
        )


def anchored(rule: Rule, today: date) -> Rule:
    """The rule with its start fixed from `today` (the creator's local date in the owner's zone)."""
    if rule.start is not None:
        return rule
    if rule.unit in ("workday", "day"):
        return replace(rule, start=today if rule.unit == "workday" else today + timedelta(days=rule.interval))
    if rule.unit == "week":
        if rule.weekday is None:
            start = today + timedelta(weeks=rule.interval)
            return replace(rule, weekday=start.weekday(), start=start)
        return replace(rule, start=today + timedelta(days=(rule.weekday - today.weekday()) % 7))
    if rule.unit == "month":
        if rule.month_day is None:
            return replace(rule, month_day=today.day, start=_add_months(today.replace(day=1), rule.interval))
        return replace(rule, start=today.replace(day=1))
    return replace(rule, month=today.month, month_day=today.day, start=today.replace(day=1))


def next_occurrence(rule: Rule, after: datetime, tz: ZoneInfo, workweek: WorkWeek) -> datetime:
    """The first occurrence strictly after `after`, as a UTC instant: on a working day (moved to the next one if
    it falls on a day off), at the rule's local time in `tz`."""
    start = rule.start or after.astimezone(tz).date()
    index = _first_index(rule, start, after.astimezone(tz).date())
    for i in range(index, index + 10_000):
        day = _nominal(rule, start, i)
        if day is None:
            continue
        if not workweek.is_working_day(day):
            if rule.unit == "workday":
                continue
            day = workweek.next_working_day(day)
        instant = datetime.combine(day, rule.at, tzinfo=tz).astimezone(UTC)
        if instant > after:
            return instant
    raise ValueError("no occurrence found: check the rule and the working days")


def _first_index(rule: Rule, start: date, local_after: date) -> int:
    """An occurrence index a little before `local_after` (a day off moves an occurrence a week at most)."""
    days = (local_after - start).days
    if rule.unit in ("workday", "day"):
        return max(0, days // rule.interval - 8)
    if rule.unit == "week":
        return max(0, days // (7 * rule.interval) - 2)
    months = (local_after.year - start.year) * 12 + local_after.month - start.month
    if rule.unit == "month":
        return max(0, months // rule.interval - 2)
    return max(0, months // (12 * rule.interval) - 2)


def _nominal(rule: Rule, start: date, i: int) -> date | None:
    """The i-th occurrence's date before any move to a working day."""
    if rule.unit in ("workday", "day"):
        return start + timedelta(days=i * rule.interval)
    if rule.unit == "week":
        monday = start - timedelta(days=start.weekday())
        return monday + timedelta(days=7 * rule.interval * i + (rule.weekday or 0))
    if rule.unit == "month":
        first = _add_months(start.replace(day=1), i * rule.interval)
        return first.replace(day=min(rule.month_day or 1, _days_in(first)))
    year, month = start.year + i * rule.interval, rule.month or start.month
    if year > 9998:
        return None
    return date(year, month, min(rule.month_day or 1, _days_in(date(year, month, 1))))


def _days_in(first: date) -> int:
    return calendar.monthrange(first.year, first.month)[1]


def _add_months(first: date, months: int) -> date:
    year, month = divmod(first.month - 1 + months, 12)
    return date(first.year + year, month + 1, 1)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def describe(rule: Rule, *, with_time: bool = True) -> str:
    """The rule in words: "every 2 weeks on Tuesday at 09:00", "every month on the 1st", "every working day"."""
    at = f" at {rule.at:%H:%M}" if with_time else ""
    if rule.unit == "workday":
        return f"every working day{at}"
    every = "every" if rule.interval == 1 else f"every {rule.interval}"
    if rule.unit == "day":
        return f"every {rule.interval} days{at}"
    if rule.unit == "week":
        day = f" on {WEEKDAYS[rule.weekday].capitalize()}" if rule.weekday is not None else ""
        return f"{every} week{'s' if rule.interval > 1 else ''}{day}{at}"
    if rule.unit == "month":
        day = "the last day" if rule.month_day == 31 else f"the {_ordinal(rule.month_day or 1)}"
        period = "quarter" if rule.interval == 3 else f"month{'s' if rule.interval > 1 else ''}"
        every = "every" if rule.interval in (1, 3) else every
        return f"{every} {period} on {day}{at}"
    month = calendar.month_abbr[rule.month or 1]
    return f"{every} year{'s' if rule.interval > 1 else ''} on {rule.month_day} {month}{at}"
