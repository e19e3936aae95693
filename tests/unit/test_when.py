"""The *when* parser and working-day arithmetic: every form in the spec, in several timezones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.when import BadWhen, When, WorkWeek, resolve, split_when, zone

WEEK = WorkWeek()
NEW_YORK, BERLIN, HONOLULU, AUCKLAND = (
    zone("America/New_York"),
    zone("Europe/Berlin"),
    zone("Pacific/Honolulu"),
    zone("Pacific/Auckland"),
)


def due(text: str, now: datetime, tz=BERLIN, week: WorkWeek = WEEK) -> tuple[datetime, str]:  # type: ignore[no-untyped-def]
    when, note = split_when(text)
    return resolve(when, now=now, tz=tz, week=week).astimezone(tz), note


# Wednesday 2026-11-18 10:00 in Berlin (09:00 UTC).
WED = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("in 2 hours ping Initech", datetime(2026, 11, 18, 12, 0), "ping Initech"),
        ("in 90 min stand up", datetime(2026, 11, 18, 11, 30), "stand up"),
        ("in 45m x", datetime(2026, 11, 18, 10, 45), "x"),
        ("in 3h x", datetime(2026, 11, 18, 13, 0), "x"),
        ("in 3 days check the invoice", datetime(2026, 11, 21, 9, 0), "check the invoice"),
        ("in 1 week call", datetime(2026, 11, 25, 9, 0), "call"),
        ("in 2w call", datetime(2026, 12, 2, 9, 0), "call"),
        ("in 2 working days call", datetime(2026, 11, 20, 9, 0), "call"),
        ("in 3 business days call", datetime(2026, 11, 23, 9, 0), "call"),
        ("today at 3pm call", datetime(2026, 11, 18, 15, 0), "call"),
        ("today call", datetime(2026, 11, 18, 17, 0), "call"),
        ("tonight call", datetime(2026, 11, 18, 19, 0), "call"),
        ("tomorrow call back about the drive", datetime(2026, 11, 19, 9, 0), "call back about the drive"),
        ("Tomorrow at 14:30 call", datetime(2026, 11, 19, 14, 30), "call"),
        ("tomorrow at noon", datetime(2026, 11, 19, 12, 0), ""),
        ("tomorrow at 12am", datetime(2026, 11, 19, 0, 0), ""),
        ("tomorrow at 12pm", datetime(2026, 11, 19, 12, 0), ""),
        ("friday at 9:30am renewal", datetime(2026, 11, 20, 9, 30), "renewal"),
        ("monday renewal", datetime(2026, 11, 23, 9, 0), "renewal"),
        ("next monday renewal", datetime(2026, 11, 23, 9, 0), "renewal"),
        ("on mon renewal", datetime(2026, 11, 23, 9, 0), "renewal"),
        ("wednesday renewal", datetime(2026, 11, 25, 9, 0), "renewal"),  # today's weekday means next week's
        ("next week renewal", datetime(2026, 11, 23, 9, 0), "renewal"),
        ("2026-12-01 renewal", datetime(2026, 12, 1, 9, 0), "renewal"),
        ("2026-12-01 at 16:45 renewal", datetime(2026, 12, 1, 16, 45), "renewal"),
        ("call back about the drive", datetime(2026, 11, 20, 9, 0), "call back about the drive"),  # default
    ],
)
def test_every_form_in_berlin(text: str, expected: datetime, note: str) -> None:
    got, rest = due(text, WED)
    assert got.replace(tzinfo=None) == expected
    assert rest == note


@pytest.mark.parametrize(
    "text",
    [
        "in 3 dayz call",
        "in 0 days",
        "in 30 seconds",
        "in 400 days",
        "in 9000 hours",
        "tomorrow at 25:00",
        "tomorrow at 13pm",
        "tomorrow at 9:75",
        "tomorrow at teatime",
        "2026-02-30 call",
        "2026-13-01",
        "2025-01-01 call",
        "2027-12-01",
        "today at 8am",
        "in 0 working days",
    ],
)
def test_bad_or_past_or_far_whens_get_a_clear_error(text: str) -> None:
    with pytest.raises(BadWhen) as error:
        due(text, WED)
    assert error.value.example and error.value.example.startswith("/followup")
    assert error.value.message


def test_notes_that_merely_start_like_words_are_notes() -> None:
    assert split_when("todays numbers look odd") == (None, "todays numbers look odd")
    assert split_when("monitor the export") == (None, "monitor the export")
    assert split_when("next steps with legal") == (None, "next steps with legal")
    assert split_when("in the meantime call them") == (None, "in the meantime call them")
    assert split_when("") == (None, "")


def test_default_skips_the_weekend_and_custom_working_days() -> None:
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    assert due("x", friday)[0].replace(tzinfo=None) == datetime(2026, 11, 24, 9, 0)  # Tue: Mon and Tue are working
    sun_to_thu = WorkWeek.from_settings("sun,mon,tue,wed,thu", 9 * 60, 17 * 60)
    assert due("x", friday, week=sun_to_thu)[0].replace(tzinfo=None) == datetime(2026, 11, 23, 9, 0)
    assert due("next week x", friday, week=sun_to_thu)[0].replace(tzinfo=None) == datetime(2026, 11, 23, 9, 0)
    assert WorkWeek.from_settings("", 0, 0).days == frozenset(range(5))


def test_nine_oclock_survives_daylight_saving_changes() -> None:
    # Berlin leaves summer time on 2026-10-25; New York on 2026-11-01; both enter it in March 2027.
    before_fall = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    assert due("tomorrow", before_fall)[0].time() == time(9, 0)
    assert due("in 3 days", before_fall)[0].utcoffset() == timedelta(hours=1)
    assert due("in 1 week", datetime(2026, 10, 28, 12, 0, tzinfo=UTC), tz=NEW_YORK)[0].time() == time(9, 0)
    spring = datetime(2027, 3, 13, 12, 0, tzinfo=UTC)
    got = due("tomorrow", spring, tz=NEW_YORK)[0]
    assert (got.time(), got.utcoffset()) == (time(9, 0), timedelta(hours=-4))
    # "in 24 hours" is an exact delay, so across the change it shows a different wall-clock hour.
    assert due("in 24 hours", spring, tz=NEW_YORK)[0] - datetime(2027, 3, 14, 12, 0, tzinfo=UTC) == timedelta(0)


def test_month_ends_and_leap_days() -> None:
    jan31 = datetime(2028, 1, 31, 12, 0, tzinfo=UTC)
    assert due("tomorrow", jan31, tz=zone("UTC"))[0].date() == date(2028, 2, 1)
    feb28 = datetime(2028, 2, 28, 12, 0, tzinfo=UTC)
    assert due("tomorrow", feb28, tz=zone("UTC"))[0].date() == date(2028, 2, 29)
    assert due("2028-02-29 x", feb28, tz=zone("UTC"))[0].date() == date(2028, 2, 29)
    with pytest.raises(BadWhen):
        due("2027-02-29 x", feb28, tz=zone("UTC"))
    dec31 = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
    assert due("in 1 days", dec31, tz=zone("UTC"))[0].date() == date(2027, 1, 1)


def test_far_timezones_see_their_own_tomorrow() -> None:
    # 2026-11-18 20:00 UTC is 10:00 in Honolulu (UTC-10) and already 09:00 on the 19th in Auckland (UTC+13).
    now = datetime(2026, 11, 18, 20, 0, tzinfo=UTC)
    honolulu = due("tomorrow", now, tz=HONOLULU)[0]
    auckland = due("tomorrow", now, tz=AUCKLAND)[0]
    assert (honolulu.date(), honolulu.time()) == (date(2026, 11, 19), time(9, 0))
    assert (auckland.date(), auckland.time()) == (date(2026, 11, 20), time(9, 0))
    assert honolulu.astimezone(UTC) == datetime(2026, 11, 19, 19, 0, tzinfo=UTC)
    assert auckland.astimezone(UTC) == datetime(2026, 11, 19, 20, 0, tzinfo=UTC)
    assert due("today", now, tz=AUCKLAND)[0].time() == time(17, 0)


def test_unknown_timezone_falls_back_to_utc() -> None:
    assert zone("Mars/Olympus_Mons").key == "UTC" and zone(None).key == "UTC" and zone("").key == "UTC"


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(max_size=40)
    | st.from_regex(
        r"(in \d{1,4} ?[a-z]{0,8}|today|tonight|tomorrow|next \w+|\w+day)"
        r"( at [0-9:apmnoidht.]{0,8})? .{0,10}",
        fullmatch=True,
    ),
    minutes=st.integers(min_value=0, max_value=60 * 24 * 365 * 3),
    tz=st.sampled_from([BERLIN, NEW_YORK, HONOLULU, AUCKLAND, zone("UTC")]),
)
def test_any_text_is_a_future_time_within_a_year_or_a_clear_error(text: str, minutes: int, tz) -> None:  # type: ignore[no-untyped-def]
    now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    try:
        when, _note = split_when(text)
        got = resolve(when, now=now, tz=tz, week=WEEK)
    except BadWhen as error:
        assert error.message and error.example
        return
    assert now < got <= now + timedelta(days=366)
    assert isinstance(when, When | None)
