"""Repeating follow-ups' rules: reading a rhythm, and its next occurrence (month ends, 29 February, DST, working
days, every other week), with a property that holds for any rule, moment, zone and working week."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.recurrence import Rule, anchored, describe, next_occurrence, refuse_trailing_rule, split_recurrence
from bot.domain.when import BadWhen, WorkWeek, zone

BERLIN = zone("Europe/Berlin")
LOS_ANGELES = zone("America/Los_Angeles")
WEEK = WorkWeek()  # Monday to Friday


def read(text: str, today: date) -> tuple[Rule, str]:
    rule, note = split_recurrence(text)
    assert rule is not None, text
    return anchored(rule, today), note


def occurrences(rule: Rule, after: datetime, tz: ZoneInfo, count: int, week: WorkWeek = WEEK) -> list[datetime]:
    found = []
    for _ in range(count):
        after = next_occurrence(rule, after, tz, week)
        found.append(after.astimezone(tz))
    return found


# --- reading ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words", "note"),
    [
        ("every 2 weeks check in", "every 2 weeks on Tuesday at 09:00", "check in"),
        ("every month on the 1st", "every month on the 1st at 09:00", ""),
        ("every Monday at 10am see how the rollout goes", "every week on Monday at 10:00", "see how the rollout goes"),
        ("every weekday", "every working day at 09:00", ""),
        ("every day at 9 check the queue", "every working day at 09:00", "check the queue"),
        ("every 3 days", "every 3 days at 09:00", ""),
        ("every 3 months", "every quarter on the 1st at 09:00", ""),
        ("every quarter review", "every quarter on the 1st at 09:00", "review"),
        ("every other week", "every 2 weeks on Tuesday at 09:00", ""),
        ("every other friday at 14:30 demo", "every 2 weeks on Friday at 14:30", "demo"),
        ("every 2 weeks on thursday", "every 2 weeks on Thursday at 09:00", ""),
        ("each fortnight", "every 2 weeks on Tuesday at 09:00", ""),
        ("every month on the last day", "every month on the last day at 09:00", ""),
        ("every month on the 15th at noon", "every month on the 15th at 12:00", ""),
        ("every year", "every year on 1 Dec at 09:00", ""),
        ("every mondays, call", "every week on Monday at 09:00", "call"),
    ],
)
def test_rhythms_are_read_and_said_in_words(text: str, words: str, note: str) -> None:
    # Tuesday 1 December 2026
    rule, rest = read(text, date(2026, 12, 1))
    assert describe(rule) == words
    assert rest == note


def test_a_rhythm_at_the_end_of_the_note_is_refused_and_every_in_a_sentence_is_the_notes() -> None:
    with pytest.raises(BadWhen, match="put it first") as refused:
        refuse_trailing_rule("check in every 2 weeks")
    assert refused.value.suggestion == "every 2 weeks"
    refuse_trailing_rule("every invoice since May is wrong")
    refuse_trailing_rule("ask why it fails every monday morning")  # not a rhythm that runs to the end: the note's


def test_text_that_does_not_start_with_every_is_left_to_the_when_parser() -> None:
    assert split_recurrence("tomorrow call back") == (None, "tomorrow call back")


def test_an_hour_without_am_pm_is_read_as_followup_reads_it_and_said() -> None:
    rule, _ = read("every monday at 3 call", date(2026, 12, 1))
    assert rule.at == time(15) and rule.assumptions == ("“at 3” as 15:00",)


@pytest.mark.parametrize(
    ("text", "says", "suggestion"),
    [
        ("every 2nd tuesday", "could mean every other Tuesday or one Tuesday a month", "every other tuesday"),
        ("every first monday", "could mean every other Monday", "every other monday"),
        ("every 24/7", "I can't read", "every 2 weeks"),
        ("every invoice is wrong", "I can't read", "every 2 weeks"),
        ("every monday and thursday", "make one per day", "every monday"),
        ("every monday, thursday", "make one per day", "every monday"),
        ("every 2 hours", "at most once a day", "every day at 9"),
        ("every 0 weeks", "not a rhythm I can keep", "every 2 weeks"),
        ("every 99 months", "not a rhythm I can keep", "every 2 weeks"),
        ("every month on the 32nd", "No month has a day 32", "every month on the 1st"),
        ("every month on monday", "a day of the month", "every month on the 1st"),
        ("every monday at 25:00", "not a time", "every monday at 10am"),
        ("every monday call them on friday", "and then *on friday*", "every friday at 10am"),
        ("every week check in tomorrow", "and then *tomorrow*", "every friday at 10am"),
    ],
)
def test_unclear_rhythms_are_refused_with_a_suggestion(text: str, says: str, suggestion: str) -> None:
    with pytest.raises(BadWhen) as refused:
        split_recurrence(text)
    assert says in refused.value.message
    assert refused.value.suggestion == suggestion
    assert refused.value.example  # a whole command that works


# --- the next occurrence ---------------------------------------------------------------------------------------


def test_every_2_weeks_starts_in_2_weeks_on_todays_weekday_and_keeps_its_phase() -> None:
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # Tuesday
    rule, _ = read("every 2 weeks", date(2026, 12, 1))
    assert [d.date() for d in occurrences(rule, now, BERLIN, 3)] == [
        date(2026, 12, 15),
        date(2026, 12, 29),
        date(2027, 1, 12),
    ]


def test_every_other_week_skips_a_week_and_every_monday_starts_today_while_ahead() -> None:
    monday_8 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
    weekly, _ = read("every monday at 10am", date(2026, 11, 30))
    assert occurrences(weekly, monday_8, BERLIN, 2) == [
        datetime(2026, 11, 30, 10, 0, tzinfo=BERLIN),
        datetime(2026, 12, 7, 10, 0, tzinfo=BERLIN),
    ]
    other, _ = read("every other monday at 10am", date(2026, 11, 30))
    assert [d.date() for d in occurrences(other, monday_8, BERLIN, 3)] == [
        date(2026, 11, 30),
        date(2026, 12, 14),
        date(2026, 12, 28),
    ]


def test_the_31st_in_a_short_month_is_its_last_day_then_the_next_working_day() -> None:
    rule, _ = read("every month on the 31st", date(2027, 1, 5))
    found = occurrences(rule, datetime(2027, 1, 5, tzinfo=UTC), BERLIN, 4)
    # 31 Jan 2027 is a Sunday: Monday 1 Feb. 28 Feb 2027 (the last day) is a Sunday: Monday 1 March.
    # 31 March 2027 is a Wednesday. 30 April (the last day) is a Friday.
    assert [d.date() for d in found] == [date(2027, 2, 1), date(2027, 3, 1), date(2027, 3, 31), date(2027, 4, 30)]


def test_the_31st_in_a_leap_february_is_the_29th() -> None:
    rule, _ = read("every month on the 31st", date(2028, 2, 1))
    assert next_occurrence(rule, datetime(2028, 2, 1, tzinfo=UTC), BERLIN, WEEK).astimezone(BERLIN).date() == date(
        2028, 2, 29
    )  # a Tuesday


def test_yearly_from_29_february_is_28_february_in_other_years_moved_to_a_working_day() -> None:
    rule = anchored(Rule(unit="year"), date(2028, 2, 29))
    found = occurrences(rule, datetime(2028, 3, 1, tzinfo=UTC), BERLIN, 4, WorkWeek(days=frozenset(range(7))))
    assert [d.date() for d in found] == [date(2029, 2, 28), date(2030, 2, 28), date(2031, 2, 28), date(2032, 2, 29)]


def test_a_monthly_occurrence_on_a_day_off_moves_to_the_next_working_day() -> None:
    rule, _ = read("every month on the 1st", date(2026, 12, 1))
    # 1 May 2027 is a Saturday
    due = next_occurrence(rule, datetime(2027, 4, 2, tzinfo=UTC), BERLIN, WEEK)
    assert due.astimezone(BERLIN) == datetime(2027, 5, 3, 9, 0, tzinfo=BERLIN)


def test_every_day_is_every_working_day_of_the_workspace() -> None:
    rule, _ = read("every day at 9", date(2026, 12, 4))  # Friday
    sun_to_thu = WorkWeek.from_settings("sun,mon,tue,wed,thu", 9 * 60, 17 * 60)
    found = occurrences(rule, datetime(2026, 12, 4, 12, 0, tzinfo=UTC), BERLIN, 3, sun_to_thu)
    assert [d.date() for d in found] == [date(2026, 12, 6), date(2026, 12, 7), date(2026, 12, 8)]


@pytest.mark.parametrize(
    ("tz", "before", "after"),
    [
        (BERLIN, date(2027, 3, 22), date(2027, 3, 29)),  # CET to CEST on 28 March 2027
        (BERLIN, date(2027, 10, 25), date(2027, 11, 1)),  # back on 31 October
        (LOS_ANGELES, date(2027, 3, 8), date(2027, 3, 15)),  # PST to PDT on 14 March 2027
        (LOS_ANGELES, date(2027, 11, 1), date(2027, 11, 8)),  # back on 7 November
    ],
)
def test_nine_oclock_stays_nine_oclock_across_daylight_saving_changes(tz: ZoneInfo, before: date, after: date) -> None:
    rule, _ = read("every monday at 9am", before)
    first, second = occurrences(rule, datetime.combine(before, time(0), tzinfo=UTC), tz, 2)
    assert (first.date(), second.date()) == (before, after)
    assert first.time() == second.time() == time(9)
    assert second.utcoffset() != first.utcoffset()  # the same wall-clock time, a different UTC hour


def test_in_the_spring_forward_gap_it_lands_just_after_the_gap() -> None:
    rule, _ = read("every day at 2:30am", date(2027, 3, 27))
    gap_day = next_occurrence(rule, datetime(2027, 3, 28, 0, 0, tzinfo=UTC), BERLIN, WorkWeek(frozenset(range(7))))
    assert gap_day.astimezone(BERLIN) == datetime(2027, 3, 28, 3, 30, tzinfo=BERLIN)


# --- a property ------------------------------------------------------------------------------------------------

ZONES = [zone(n) for n in ("Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland", "Asia/Kathmandu", "UTC")]
WEEKS = [
    WorkWeek(),
    WorkWeek.from_settings("sun,mon,tue,wed,thu", 9 * 60, 17 * 60),
    WorkWeek(days=frozenset({5})),
    WorkWeek(days=frozenset(range(7))),
]
RULES = st.one_of(
    st.builds(Rule, unit=st.just("workday")),
    st.builds(Rule, unit=st.just("day"), interval=st.integers(2, 40)),
    st.builds(Rule, unit=st.just("week"), interval=st.integers(1, 8), weekday=st.none() | st.integers(0, 6)),
    st.builds(Rule, unit=st.just("month"), interval=st.integers(1, 12), month_day=st.none() | st.integers(1, 31)),
    st.builds(Rule, unit=st.just("year"), interval=st.integers(1, 3)),
)


@settings(max_examples=300, deadline=None)
@given(
    rule=RULES,
    at=st.times(),
    today=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    later=st.integers(0, 3 * 366 * 24 * 60),
    tz=st.sampled_from(ZONES),
    week=st.sampled_from(WEEKS),
)
def test_next_occurrence_is_strictly_after_on_a_working_day_at_the_local_time_asked(
    rule: Rule, at: time, today: date, later: int, tz: ZoneInfo, week: WorkWeek
) -> None:
    at = at.replace(second=0, microsecond=0)
    rule = anchored(Rule(**{**rule.__dict__, "at": at}), today)
    after = datetime.combine(today, time(0), tzinfo=UTC) + timedelta(minutes=later)
    due = next_occurrence(rule, after, tz, week)
    local = due.astimezone(tz)
    assert due > after
    assert week.is_working_day(local.date())
    naive = datetime.combine(local.date(), at)
    exists = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive
    assert local.time() == at or not exists  # only in a spring-forward gap is the wall-clock time not there
