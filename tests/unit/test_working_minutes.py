"""Working-minute arithmetic for the unanswered-message deadline: hours, days off, DST, odd weeks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.when import WorkWeek, add_working_minutes, zone

WEEK = WorkWeek()  # Monday to Friday, 09:00–17:00
BERLIN, NEW_YORK = zone("Europe/Berlin"), zone("America/New_York")


def local(tz, *args: int) -> datetime:  # type: ignore[no-untyped-def]
    return datetime(*args, tzinfo=tz)  # type: ignore[misc]


def test_inside_working_hours_is_plain_addition() -> None:
    start = local(BERLIN, 2026, 11, 18, 10, 0)  # Wednesday
    assert add_working_minutes(start, 30, WEEK, BERLIN) == local(BERLIN, 2026, 11, 18, 10, 30)


def test_result_is_utc_and_zero_minutes_is_the_start() -> None:
    start = local(BERLIN, 2026, 11, 18, 10, 0)
    result = add_working_minutes(start, 0, WEEK, BERLIN)
    assert result == start and result.tzinfo == UTC
    assert add_working_minutes(start, 30, WEEK, BERLIN).tzinfo == UTC


def test_starting_before_opening_counts_from_opening() -> None:
    start = local(BERLIN, 2026, 11, 18, 6, 45)
    assert add_working_minutes(start, 30, WEEK, BERLIN) == local(BERLIN, 2026, 11, 18, 9, 30)


def test_crossing_closing_time_continues_next_working_morning() -> None:
    start = local(BERLIN, 2026, 11, 18, 16, 50)  # 10 minutes left today
    assert add_working_minutes(start, 30, WEEK, BERLIN) == local(BERLIN, 2026, 11, 19, 9, 20)


def test_ending_exactly_at_closing_time_stays_there() -> None:
    start = local(BERLIN, 2026, 11, 18, 16, 30)
    assert add_working_minutes(start, 30, WEEK, BERLIN) == local(BERLIN, 2026, 11, 18, 17, 0)


def test_after_hours_on_friday_waits_for_monday() -> None:
    start = local(NEW_YORK, 2026, 11, 20, 18, 0)  # Friday evening
    assert add_working_minutes(start, 30, WEEK, NEW_YORK) == local(NEW_YORK, 2026, 11, 23, 9, 30)
    weekend = local(NEW_YORK, 2026, 11, 21, 11, 0)  # Saturday
    assert add_working_minutes(weekend, 30, WEEK, NEW_YORK) == local(NEW_YORK, 2026, 11, 23, 9, 30)


def test_more_than_a_day_of_minutes_spans_several_days() -> None:
    start = local(BERLIN, 2026, 11, 19, 12, 0)  # Thursday: 5 h left, Friday 8 h, then Monday
    assert add_working_minutes(start, 15 * 60, WEEK, BERLIN) == local(BERLIN, 2026, 11, 23, 11, 0)


def test_workspace_timezone_decides_the_hours() -> None:
    start = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)  # 14:00 Berlin, 08:00 New York
    assert add_working_minutes(start, 30, WEEK, BERLIN) == datetime(2026, 11, 18, 13, 30, tzinfo=UTC)
    assert add_working_minutes(start, 30, WEEK, NEW_YORK) == local(NEW_YORK, 2026, 11, 18, 9, 30)


def test_dst_day_keeps_wall_clock_hours() -> None:
    week = WorkWeek.from_settings("sat,sun", 9 * 60, 17 * 60)
    saturday = local(BERLIN, 2026, 3, 28, 16, 50)  # CET; Sunday 29 March moves to CEST
    result = add_working_minutes(saturday, 30, week, BERLIN)
    assert result == local(BERLIN, 2026, 3, 29, 9, 20)
    assert result == datetime(2026, 3, 29, 7, 20, tzinfo=UTC)


def test_dst_hour_that_never_happens_is_not_counted() -> None:
    week = WorkWeek.from_settings("sun", 1 * 60, 5 * 60)  # 01:00–05:00, and 02:00–03:00 is skipped that night
    start = local(BERLIN, 2026, 3, 29, 1, 0)
    assert add_working_minutes(start, 180, week, BERLIN) == datetime(2026, 3, 29, 3, 0, tzinfo=UTC)  # 05:00 CEST
    assert add_working_minutes(start, 181, week, BERLIN) == local(BERLIN, 2026, 4, 5, 1, 1)


def test_non_default_working_days_and_hours() -> None:
    week = WorkWeek.from_settings("sun,mon,tue,wed,thu", 8 * 60, 16 * 60 + 30)
    friday = local(BERLIN, 2026, 11, 20, 10, 0)
    assert add_working_minutes(friday, 45, week, BERLIN) == local(BERLIN, 2026, 11, 22, 8, 45)  # Sunday
    thursday = local(BERLIN, 2026, 11, 19, 16, 0)
    assert add_working_minutes(thursday, 45, week, BERLIN) == local(BERLIN, 2026, 11, 22, 8, 15)


def test_night_shift_past_midnight() -> None:
    week = WorkWeek.from_settings("mon,tue,wed,thu,fri", 22 * 60, 6 * 60)
    tuesday_night = local(BERLIN, 2026, 11, 17, 23, 30)
    assert add_working_minutes(tuesday_night, 60, week, BERLIN) == local(BERLIN, 2026, 11, 18, 0, 30)
    early_wednesday = local(BERLIN, 2026, 11, 18, 5, 50)  # still Tuesday's shift
    assert add_working_minutes(early_wednesday, 30, week, BERLIN) == local(BERLIN, 2026, 11, 18, 22, 20)


def test_round_the_clock_hours() -> None:
    week = WorkWeek.from_settings("mon,tue,wed,thu,fri,sat,sun", 0, 24 * 60)
    start = datetime(2026, 11, 21, 23, 50, tzinfo=UTC)
    assert add_working_minutes(start, 30, week, zone("UTC")) == start + timedelta(minutes=30)


def _working_minutes_between(start: datetime, end: datetime, week: WorkWeek, tz) -> int:  # type: ignore[no-untyped-def]
    """Brute force: count the minutes from start to end whose beginning falls in working hours."""
    count, cursor = 0, start
    while cursor < end:
        wall = cursor.astimezone(tz)
        minute = wall.hour * 60 + wall.minute
        if week.is_working_day(wall.date()) and week.start_minute <= minute < week.end_minute:
            count += 1
        cursor += timedelta(minutes=1)
    return count


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2026, 3, 20), max_value=datetime(2026, 4, 5)),
    minutes=st.integers(min_value=1, max_value=600),
)
def test_exactly_that_many_working_minutes_pass(start: datetime, minutes: int) -> None:
    begin = start.replace(second=0, microsecond=0, tzinfo=UTC)
    end = add_working_minutes(begin, minutes, WEEK, BERLIN)
    assert _working_minutes_between(begin, end, WEEK, BERLIN) == minutes
    # ...and not one minute earlier would do.
    assert _working_minutes_between(begin, end - timedelta(minutes=1), WEEK, BERLIN) == minutes - 1
