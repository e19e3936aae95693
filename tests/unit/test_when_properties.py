"""Properties of the *when* parser that hold for any text, at any moment, in any timezone and working week."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.when import DATE_ORDERS, BadWhen, WorkWeek, resolve_due, split_when, zone

ZONES = [
    zone(name)
    for name in (
        "Europe/Berlin",
        "America/New_York",
        "Pacific/Auckland",
        "Pacific/Honolulu",
        "UTC",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "America/Santiago",
    )
]
WEEKS = [
    WorkWeek(),
    WorkWeek.from_settings("sun,mon,tue,wed,thu", 9 * 60, 17 * 60),
    WorkWeek(start_minute=22 * 60, end_minute=6 * 60),  # a night shift
    WorkWeek(days=frozenset({5}), start_minute=0, end_minute=0),  # Saturdays, round the clock
    WorkWeek(days=frozenset(range(7)), start_minute=7 * 60, end_minute=19 * 60),
]
# Words people put in and around a *when*, with the broken and the borderline ones.
_WORDS = (
    "in at on by next this last every each tomorrow tmrw tomorow today tonight yesterday friday fri sat wed monday "
    "mondays next week end of day eod cob eow the 15th 1st dec december may march 12/15 15/12 3.12. 3/4 24/7 "
    "2026-12-15 2027-02-29 3pm 3 15 15:00 9.30 0900 noon midnight morning afternoon evening night lunch half past "
    "quarter to 2 hours h 2h30m 90min a an couple few days weeks months year ago from now or so - , : ! ? ( ) 3ish "
    "noon-ish est utc around about before after until and 0 -3 99999 13pm 25:00 working business weekend month am "
    "pm o'clock sharp 2-3pm first thing asap soon later sometime call Acme QBR invoices seats ¹ ٣"
)
WORDS = [*_WORDS.split(), "\u00a0", "'s", "”"]
phrases = st.lists(st.sampled_from(WORDS), max_size=7).map(" ".join)
texts = phrases | st.text(max_size=30) | st.tuples(phrases, st.text(max_size=8)).map(" ".join)
moments = st.integers(min_value=0, max_value=60 * 24 * 365 * 3).map(
    lambda minutes: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
)


@settings(max_examples=800, deadline=None)
@given(
    text=texts,
    now=moments,
    tz=st.sampled_from(ZONES),
    week=st.sampled_from(WEEKS),
    order=st.sampled_from(DATE_ORDERS),
    default_days=st.integers(min_value=1, max_value=10),
)
def test_any_text_is_a_future_time_within_a_year_or_a_bad_when_and_nothing_else(  # type: ignore[no-untyped-def]
    text: str, now: datetime, tz, week: WorkWeek, order: str, default_days: int
) -> None:
    try:
        when, _note = split_when(text, date_order=order)
        due = resolve_due(when, now=now, tz=tz, week=week, default_working_days=default_days)
    except BadWhen as error:
        assert error.message and error.example and error.example.startswith("/followup")
        return
    assert now < due.at <= now + timedelta(days=366)
    assert due.local == due.at and due.local.utcoffset() == due.at.astimezone(tz).utcoffset()


# Around the daylight-saving changes of the zones above, in both years.
TRANSITIONS = [
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 4, 4, 14, tzinfo=UTC),
    datetime(2026, 9, 26, 14, tzinfo=UTC),
    datetime(2026, 10, 3, 15, tzinfo=UTC),
    datetime(2027, 3, 28, 1, tzinfo=UTC),
]
DAYS = [
    "tomorrow",
    "friday",
    "next week",
    "in 3 days",
    "in 1 week",
    "monday next week",
    "the day after tomorrow",
    "Dec 15",
    "2026-10-25",
    "2027-03-28",
    "2026-11-01",
    "2026-04-05",
    "next month",
    "sunday",
]


@settings(max_examples=400, deadline=None)
@given(
    day=st.sampled_from(DAYS),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45, 59]),
    near=st.sampled_from(TRANSITIONS),
    shift=st.integers(-8 * 24 * 60, 2 * 24 * 60),
    tz=st.sampled_from(ZONES),
)
def test_a_wall_clock_time_on_a_day_stays_that_wall_clock_time_across_daylight_saving(  # type: ignore[no-untyped-def]
    day: str, hour: int, minute: int, near: datetime, shift: int, tz
) -> None:
    now = near + timedelta(minutes=shift)
    try:
        when, _note = split_when(f"{day} at {hour:02d}:{minute:02d}")
        due = resolve_due(when, now=now, tz=tz, week=WorkWeek())
    except BadWhen:
        return  # past or too far: refused, which is not the property under test
    wanted = datetime.combine(due.local.date(), time(hour, minute))
    if due.local.replace(tzinfo=None) != wanted:
        # Only a wall-clock time that does not exist that day (the spring-forward gap) may move: to just after it.
        landed = wanted.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
        assert landed.replace(tzinfo=None) != wanted, "an existing wall-clock time moved"
        assert due.local == landed


# Tokens that can only be a time, in a note's first word: written here, apart from the grammar's own tables.
TIME_LIKE = re.compile(
    r"(\d{1,2}(:\d\d)?\s?(am|pm)|\d{1,2}:\d\d|\d{4}-\d\d-\d\d|tomorrow|tmrw|tonight|yesterday|"
    r"(mon|tues|wednes|thurs|fri|satur|sun)day|eod|\d{1,2}ish|every (day|week|month|other|\d+))(?![\w'’-])",
    re.IGNORECASE,
)
NOTE_WORDS = ["call", "Acme", "about", "the", "renewal", "invoices", "at", "on", "in", "by", "2", "seats", "QBR"]


@settings(max_examples=800, deadline=None)
@given(head=phrases, tail=st.lists(st.sampled_from(WORDS + NOTE_WORDS), max_size=6).map(" ".join))
def test_a_note_never_starts_with_a_time_that_was_not_understood(head: str, tail: str) -> None:
    try:
        when, note = split_when(f"{head} {tail}")
    except BadWhen:
        return
    assert not TIME_LIKE.match(note), (when, note)


@settings(max_examples=200, deadline=None)
@given(text=texts, order=st.sampled_from(DATE_ORDERS))
def test_parsing_is_pure_the_same_text_reads_the_same_way(text: str, order: str) -> None:
    try:
        first = split_when(text, date_order=order)
    except BadWhen as error:
        try:
            split_when(text, date_order=order)
        except BadWhen as again:
            assert again.message == error.message
            return
        raise AssertionError("refused once, read the next time") from None
    assert split_when(text, date_order=order) == first
