"""The *when* grammar, rule by rule: Slack /remind and calendar forms, and never a silently different time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.domain.when import (
    BadWhen,
    Due,
    When,
    WorkWeek,
    describe_due,
    resolve,
    resolve_due,
    split_when,
    zone,
)

BERLIN = zone("Europe/Berlin")
WEEK = WorkWeek()
# Wednesday 2026-11-18 10:00 in Berlin (09:00 UTC): the fixed `now` of tests/fixtures/when_phrases.tsv too.
WED = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


def read(text: str, *, now: datetime = WED, week: WorkWeek = WEEK, order: str = "MDY") -> tuple[datetime, str, Due]:
    """(the local due time without its zone, the note, the Due) for `text` typed in Berlin at `now`."""
    when, note = split_when(text, date_order=order)
    due = resolve_due(when, now=now, tz=BERLIN, week=week)
    return due.local.replace(tzinfo=None), note, due


def at(text: str, **kwargs: object) -> datetime:
    return read(text, **kwargs)[0]  # type: ignore[arg-type]


def refusal(text: str, *, now: datetime = WED, week: WorkWeek = WEEK, order: str = "MDY") -> BadWhen:
    with pytest.raises(BadWhen) as error:
        read(text, now=now, week=week, order=order)
    assert error.value.message and error.value.example and error.value.example.startswith("/followup")
    return error.value


def d(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3pm", d(18, 15)),
        ("at 3pm", d(18, 15)),
        ("3 pm", d(18, 15)),
        ("3PM", d(18, 15)),
        ("3p.m.", d(18, 15)),
        ("15:00", d(18, 15)),
        ("at 15", d(18, 15)),
        ("@3pm", d(18, 15)),
        ("at 3:30pm", d(18, 15, 30)),
        ("tomorrow 3pm", d(19, 15)),
        ("tomorrow@3pm", d(19, 15)),
        ("tomorrow at 9.30am", d(19, 9, 30)),
        ("tomorrow 15h30", d(19, 15, 30)),
        ("at 1500", d(18, 15)),
        ("tomorrow 0900", d(19, 9)),
        ("3pm tomorrow", d(19, 15)),
        ("at 3 on friday", d(20, 15)),
        ("noon friday", d(20, 12)),
        ("2026-12-15 14:30", d(15, 14, 30, month=12)),
        ("friday 10am", d(20, 10)),
        ("monday 2pm", d(23, 14)),
        ("tomorrow at 3 o'clock", d(19, 15)),
        ("tomorrow at three", d(19, 15)),
        ("half past 2 tomorrow", d(19, 14, 30)),
        ("tomorrow at quarter to 5", d(19, 16, 45)),
        ("tomorrow 3pm sharp", d(19, 15)),
        ("around 3pm friday", d(20, 15)),
    ],
)
def test_clock_times_with_or_without_at_before_or_after_the_day(text: str, expected: datetime) -> None:
    assert at(text) == expected


@pytest.mark.parametrize(
    ("text", "expected", "assumption"),
    [
        ("tomorrow at 1", time(13), "“at 1” as 13:00"),
        ("tomorrow at 3", time(15), "“at 3” as 15:00"),
        ("tomorrow at 7", time(19), "“at 7” as 19:00"),
        ("tomorrow at 8", time(8), "“at 8” as 08:00"),
        ("tomorrow at 11", time(11), "“at 11” as 11:00"),
        ("tomorrow at 12", time(12), "“at 12” as 12:00"),
        ("tomorrow at 3:30", time(15, 30), "“at 3:30” as 15:30"),
        ("tonight at 8", time(20), "“at 8” as 20:00"),
        ("this evening at 6", time(18), "“at 6” as 18:00"),
        ("tomorrow morning at 8", time(8), "“at 8” as 08:00"),
        ("tomorrow afternoon at 3", time(15), "“at 3” as 15:00"),
        ("tomorrow night at 9", time(21), "“at 9” as 21:00"),
        ("friday 3", time(15), "“3” as 15:00"),
    ],
)
def test_an_hour_without_am_or_pm_is_read_within_working_hours_and_said(
    text: str, expected: time, assumption: str
) -> None:
    got, _note, due = read(text)
    assert got.time() == expected
    assert assumption in due.assumptions
    assert f"(I read {assumption}" in describe_due(due, now=WED)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow at 08:30", time(8, 30)),
        ("tomorrow at 03:00", time(3)),
        ("tomorrow at 13", time(13)),
        ("tomorrow at 0", time(0)),
        ("tomorrow at 3am", time(3)),
        ("tomorrow at 12am", time(0)),
    ],
)
def test_a_zero_padded_24_hour_or_am_pm_time_is_read_as_written_with_no_assumption(text: str, expected: time) -> None:
    got, _note, due = read(text)
    assert got.time() == expected and due.assumptions == ()


def test_today_and_tonight_with_a_bare_hour_are_later_today() -> None:
    assert at("today at 5") == d(18, 17)
    assert at("tonight at 8") == d(18, 20)
    assert read("tonight at 12")[0] == d(19, 0)  # midnight, not noon
    error = refusal("today at 9")
    assert "already past" in error.message and "Wednesday 18 Nov at 09:00" in error.message
    assert error.suggestion == "today at 9pm" and "`today at 9pm`" in error.message


def test_a_bare_number_after_a_day_is_an_hour_unless_it_counts_something() -> None:
    assert read("tomorrow 2 invoices to check") == (d(19, 9), "2 invoices to check", read("tomorrow")[2])
    assert read("tomorrow 10 licences to renew")[:2] == (d(19, 9), "10 licences to renew")
    assert read("friday 4 dec")[0] == d(4, 9, month=12)  # a date, not 04:00
    assert read("tomorrow 10")[:2] == (d(19, 10), "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow morning", d(19, 9)),
        ("tomorrow afternoon", d(19, 14)),
        ("tomorrow evening", d(19, 18)),
        ("tomorrow night", d(19, 19)),
        ("this afternoon", d(18, 14)),
        ("this evening", d(18, 18)),
        ("in the morning", d(19, 9)),
        ("in the afternoon", d(18, 14)),
        ("noon", d(18, 12)),
        ("at noon", d(18, 12)),
        ("tomorrow at midday", d(19, 12)),
        ("tomorrow lunchtime", d(19, 12)),
        ("lunch tomorrow", d(19, 12)),
        ("tomorrow after lunch", d(19, 13)),
        ("midnight", d(19, 0)),
        ("tomorrow at midnight", d(20, 0)),
        ("tomorrow am", d(19, 9)),
        ("friday pm", d(20, 14)),
        ("first thing tomorrow", d(19, 9)),
        ("monday first thing", d(23, 9)),
        ("this arvo", d(18, 14)),
        ("this eve", d(18, 18)),
    ],
)
def test_parts_of_the_day(text: str, expected: datetime) -> None:
    assert at(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "morning report numbers look off",
        "noon deploy failed",
        "lunch with their CFO",
        "evening shift saw it",
        "midnight deploy failed, check logs",
    ],
)
def test_a_part_of_the_day_alone_at_the_front_of_a_note_is_a_noun(text: str) -> None:
    assert split_when(text) == (None, text)


def test_end_of_day_follows_the_working_hours() -> None:
    for text in (
        "EOD",
        "eod",
        "end of day",
        "end of the day",
        "by end of day",
        "COB",
        "close of business",
        "by the end of the day",
        "end of business",
        "EOP",
    ):
        assert at(text) == d(18, 17), text
    assert at("EOD friday") == at("friday EOD") == at("end of day friday") == d(20, 17)
    early = WorkWeek(start_minute=8 * 60, end_minute=16 * 60 + 30)
    assert at("EOD", week=early) == d(18, 16, 30)
    assert at("first thing tomorrow", week=early) == d(19, 8)
    nights = WorkWeek(start_minute=22 * 60, end_minute=6 * 60)  # a night shift ends the next morning
    assert at("EOD", week=nights) == d(19, 6)
    late = refusal("EOD", now=datetime(2026, 11, 18, 17, 30, tzinfo=UTC))
    assert "Wednesday 18 Nov at 17:00" in late.message and "already past" in late.message


def test_end_of_week_and_month_are_the_last_working_day_at_its_end() -> None:
    assert at("end of week") == at("EOW") == at("by end of the week") == d(20, 17)
    assert at("end of next week") == d(27, 17)
    sun_to_thu = WorkWeek.from_settings("sun,mon,tue,wed,thu", 9 * 60, 17 * 60)
    assert at("end of week", week=sun_to_thu) == d(19, 17)
    saturday = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    assert at("end of week", now=saturday) == d(27, 17)  # on a day off: the coming week's
    friday_evening = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)
    assert "Friday 20 Nov at 17:00" in refusal("end of week", now=friday_evening).message
    assert at("end of month") == at("EOM") == d(30, 17)  # Monday 30 Nov
    assert at("end of month", now=datetime(2027, 1, 10, 9, 0, tzinfo=UTC)) == d(29, 17, month=1, year=2027)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("next week", d(23, 9)),
        ("wednesday next week", d(25, 9)),
        ("next week wednesday", d(25, 9)),
        ("next wednesday", d(25, 9)),
        ("next week on tuesday", d(24, 9)),
        ("next friday", d(27, 9)),
        ("friday next week", d(27, 9)),
        ("this friday", d(20, 9)),
        ("friday", d(20, 9)),
        ("thursday", d(19, 9)),
        ("wednesday", d(25, 9)),
        ("this coming friday", d(20, 9)),
        ("monday after next", d(30, 9)),
        ("Friday week", d(27, 9)),
        ("early next week", d(23, 9)),
        ("after the weekend", d(23, 9)),
        ("next month", d(1, 9, month=12)),
        ("the week after next", d(30, 9)),
        ("a week tomorrow", d(26, 9)),
        ("the day after tomorrow", d(20, 9)),
        ("thursday this week", d(19, 9)),
    ],
)
def test_weeks_and_weekdays(text: str, expected: datetime) -> None:
    assert at(text) == expected


def test_next_weekday_says_which_friday_it_means() -> None:
    assert "“next friday” as the Friday of next week" in read("next friday")[2].assumptions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in an hour", d(18, 11)),
        ("in 1 hr", d(18, 11)),
        ("in 2h30m", d(18, 12, 30)),
        ("in 2h 30m", d(18, 12, 30)),
        ("in 2 hours 30 minutes", d(18, 12, 30)),
        ("in 2 hours and 30 minutes", d(18, 12, 30)),
        ("in 1hr30", d(18, 11, 30)),
        ("in an hour and a half", d(18, 11, 30)),
        ("in 2 and a half hours", d(18, 12, 30)),
        ("in half an hour", d(18, 10, 30)),
        ("in 1.5 hours", d(18, 11, 30)),
        ("in two hours", d(18, 12)),
        ("in ten minutes", d(18, 10, 10)),
        ("in a couple of hours", d(18, 12)),
        ("in 3 hours time", d(18, 13)),
        ("2 hours from now", d(18, 12)),
        ("in 3 hours from now", d(18, 13)),
        ("in an hour or so", d(18, 11)),
        ("in 1 day 2 hours", d(19, 12)),
        ("in 36 hours", d(19, 22)),
        ("in a day", d(19, 9)),
        ("in 2 days", d(20, 9)),
        ("in a couple of days", d(20, 9)),
        ("in a week", d(25, 9)),
        ("in a week's time", d(25, 9)),
        ("in a fortnight", d(2, 9, month=12)),
        ("in 2 weeks time", d(2, 9, month=12)),
        ("3 days from now", d(21, 9)),
        ("in a month", d(18, 9, month=12)),
        ("in 3 months", d(18, 9, month=2, year=2027)),
        ("in 3 working days", d(23, 9)),
        ("in 3 days at 2pm", d(21, 14)),
    ],
)
def test_durations(text: str, expected: datetime) -> None:
    assert at(text) == expected


def test_months_count_calendar_months_and_keep_to_the_month_end() -> None:
    jan31 = datetime(2027, 1, 31, 12, 0, tzinfo=UTC)
    assert at("in 1 month", now=jan31) == d(28, 9, month=2, year=2027)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tmrw", d(19, 9)),
        ("tmr", d(19, 9)),
        ("2moro", d(19, 9)),
        ("tues", d(24, 9)),
        ("tue 2pm", d(24, 14)),
        ("weds", d(25, 9)),
        ("thurs", d(19, 9)),
        ("thur", d(19, 9)),
        ("thu", d(19, 9)),
        ("fri", d(20, 9)),
        ("sat", d(21, 9)),
        ("sun 6pm", d(22, 18)),
        ("mon", d(23, 9)),
        ("tonite", d(18, 19)),
        ("next wk", d(23, 9)),
        ("nxt week", d(23, 9)),
    ],
)
def test_common_abbreviations(text: str, expected: datetime) -> None:
    assert at(text) == expected


def test_a_short_day_name_that_is_also_a_word_needs_a_time_around_it() -> None:
    assert split_when("sat down with their CTO, send a recap") == (None, "sat down with their CTO, send a recap")
    assert at("sat morning") == d(21, 9)


@pytest.mark.parametrize(
    ("text", "expected", "assumption"),
    [
        ("firday", d(20, 9), "“firday” as Friday"),
        ("thursady", d(19, 9), "“thursady” as Thursday"),
        ("wendsday", d(25, 9), None),
        ("tomorroww", d(19, 9), "“tomorroww” as tomorrow"),
        ("decmber 15", d(15, 9, month=12), "“decmber” as December"),
    ],
)
def test_typos_one_letter_off_are_read_and_said(text: str, expected: datetime, assumption: str | None) -> None:
    got, _note, due = read(text)
    assert got == expected
    assert assumption is None or assumption in due.assumptions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dec 15", d(15, 9, month=12)),
        ("dec. 15", d(15, 9, month=12)),
        ("December 15th", d(15, 9, month=12)),
        ("15 December", d(15, 9, month=12)),
        ("15th of December", d(15, 9, month=12)),
        ("the 15th of December", d(15, 9, month=12)),
        ("December 15, 2026 at 10am", d(15, 10, month=12)),
        ("Dec 15 2pm", d(15, 14, month=12)),
        ("jan 5", d(5, 9, month=1, year=2027)),
        ("Nov 20", d(20, 9)),
        ("Nov 18 at 3pm", d(18, 15)),
        ("Aug 1", d(1, 9, month=8, year=2027)),
        ("the 20th", d(20, 9)),
        ("on the 15th", d(15, 9, month=12)),
        ("Thursday 3 Dec at 15:00", d(3, 15, month=12)),
        ("friday the 20th", d(20, 9)),
        ("Fri 4 Dec", d(4, 9, month=12)),
    ],
)
def test_month_name_dates(text: str, expected: datetime) -> None:
    assert at(text) == expected


def test_a_date_without_a_year_that_just_passed_is_refused_not_moved_to_next_year() -> None:
    assert "Tuesday 17 Nov at 09:00" in refusal("Nov 17").message
    assert "already past" in refusal("Sept 30").message
    assert "more than a year away" in refusal("Feb 29").message  # next in 2028
    assert at("Feb 29", now=datetime(2027, 12, 1, tzinfo=UTC)) == d(29, 9, month=2, year=2028)
    assert "real date" in refusal("Feb 30").message


def test_a_weekday_typed_with_a_date_must_match_it() -> None:
    error = refusal("thursday dec 4")
    assert "4 Dec is a Friday, not a Thursday" in error.message and error.suggestion == "Dec 4"
    assert "Saturday, not a Friday" in refusal("friday the 21st").message


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("12/15", "MDY", d(15, 9, month=12)),
        ("12/15/2026", "MDY", d(15, 9, month=12)),
        ("12/15/26", "MDY", d(15, 9, month=12)),
        ("3/4", "MDY", d(4, 9, month=3, year=2027)),
        ("3/4", "DMY", d(3, 9, month=4, year=2027)),
        ("15/12", "DMY", d(15, 9, month=12)),
        ("03.12.2026", "DMY", d(3, 9, month=12)),
        ("3.12.", "DMY", d(3, 9, month=12)),
        ("2026-12-03", "DMY", d(3, 9, month=12)),
        ("2026-12-03", "MDY", d(3, 9, month=12)),
        ("2026/12/15", "MDY", d(15, 9, month=12)),
    ],
)
def test_numeric_dates_follow_the_workspace_order_and_iso_always_works(
    text: str, order: str, expected: datetime
) -> None:
    assert at(text, order=order) == expected


def test_a_numeric_date_says_its_order_when_it_could_be_read_both_ways() -> None:
    assert "“3/4” as month/day" in read("3/4")[2].assumptions
    assert "“3/4” as day/month" in read("3/4", order="DMY")[2].assumptions
    assert read("12/15")[2].assumptions == ()


def test_a_numeric_date_that_is_not_valid_in_the_workspace_order_is_refused_with_the_month_name() -> None:
    error = refusal("15/12")
    assert "month/day" in error.message and error.suggestion == "Dec 15"
    assert refusal("12/15", order="DMY").suggestion == "Dec 15"
    assert split_when("24/7 support contract") == (None, "24/7 support contract")
    with pytest.raises(ValueError, match="date_order"):
        split_when("12/15", date_order="YMD")


def test_by_a_day_is_the_start_of_that_day_and_by_a_time_is_that_time() -> None:
    got, _note, due = read("by friday")
    assert got == d(20, 9) and "“by friday” as 09:00 that day" in due.assumptions
    assert at("by EOD") == d(18, 17)
    assert at("by 3pm") == d(18, 15)
    assert at("by end of week") == d(20, 17)
    assert read("by friday send the contract")[1] == "send the contract"
    assert split_when("by the way, check SSO") == (None, "by the way, check SSO")


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("FRIDAY AT 5PM", d(20, 17), ""),
        ("Friday. Send the deck", d(20, 9), "Send the deck"),
        ("tomorrow!!", d(19, 9), ""),
        ("friday?", d(20, 9), ""),
        ("Tomorrow, call them", d(19, 9), "call them"),
        ("tomorrow - call them", d(19, 9), "call them"),
        ("tomorrow: call them", d(19, 9), "call them"),
        ("NEXT WEEK", d(23, 9), ""),
        ("In 2 HOURS", d(18, 12), ""),
        ("tomorrow (3pm)", d(19, 15), ""),
        ("next Tuesday, 10am", d(24, 10), ""),
        ("tomorrow\u00a0at\u00a03pm call", d(19, 15), "call"),
    ],
)
def test_any_letter_case_and_trailing_punctuation(text: str, expected: datetime, note: str) -> None:
    assert read(text)[:2] == (expected, note)


@pytest.mark.parametrize(
    ("text", "read_words", "unread", "suggestion"),
    [
        ("tomorrow 3ish", "tomorrow", "3ish", "tomorrow at 3pm"),
        ("tomorrow at 3ish", "tomorrow", "3ish", "tomorrow at 3pm"),
        ("tomorrow at teatime", "tomorrow", "at teatime", "tomorrow at 4pm"),
        ("tomorrow at 25:00", "tomorrow", "25:00", "tomorrow at 9am"),
        ("friday 13pm", "friday", "13pm", "friday at 9am"),
        ("tomorrow 3pm EST", "tomorrow 3pm", "EST", "tomorrow 3pm"),
    ],
)
def test_a_time_half_understood_is_refused_saying_what_was_read_and_what_to_type(
    text: str, read_words: str, unread: str, suggestion: str
) -> None:
    error = refusal(text)
    assert f"I read *{read_words}* but not *{unread}*" in error.message
    assert error.suggestion == suggestion and f"`{suggestion}`" in error.message
    assert error.example == f"/followup Acme {suggestion} call back about the drive"


@pytest.mark.parametrize(
    "text",
    [
        "3ish",
        "in a few days",
        "in a bit",
        "soon",
        "asap",
        "ASAP call them",
        "later",
        "later this week",
        "this week",
        "this weekend",
        "whenever",
        "in december",
        "in March",
        "next year",
        "mid next week",
        "early december",
        "noon-ish",
        "in 5",
        "in 45",
        "reply to Dana's email asap",
        "ping me in 20",
        "before EOD",
        "after 3pm",
        "b4 friday",
    ],
)
def test_vague_phrases_are_refused_with_a_suggestion(text: str) -> None:
    assert refusal(text).suggestion


@pytest.mark.parametrize(
    "text",
    [
        "tomorrow friday",
        "in 2 hours at 3pm",
        "tomorrow in 2 hours",
        "friday monday",
        "tomorrow morning at 3pm",
        "tomorrow or friday",
        "tomorrow at 3 or 4",
        "in a day or two",
    ],
)
def test_two_different_times_are_refused(text: str) -> None:
    refusal(text)


@pytest.mark.parametrize(
    "text",
    [
        "every 2 weeks check in",
        "every monday at 10am",
        "every day",
        "every other friday",
        "each monday",
        "daily at 9am",
        "mondays at 10",
        "on mondays",
        "weekly",
        "every month on the 1st",
    ],
)
def test_repeating_phrases_are_not_one_time_and_point_to_the_rhythm_at_the_front(text: str) -> None:
    # split_when reads one time; a rhythm is read before it by bot.domain.recurrence (tests/unit/test_recurrence.py)
    assert "Repeating follow-ups start with their rhythm" in refusal(text).message


def test_a_note_that_merely_starts_with_every_is_a_note() -> None:
    assert split_when("every invoice since May is wrong") == (None, "every invoice since May is wrong")


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("yesterday", "Tuesday 17 Nov at 09:00"),
        ("last friday", "Friday 13 Nov at 09:00"),
        ("in -3 days", "Sunday 15 Nov at 09:00"),
        ("2 days ago", "Monday 16 Nov at 09:00"),
        ("an hour ago", "Wednesday 18 Nov at 09:00"),
        ("this morning", "Wednesday 18 Nov at 09:00"),
        ("last week", "Monday 9 Nov at 09:00"),
        ("last night", "Tuesday 17 Nov at 19:00"),
        ("today at 8am", "Wednesday 18 Nov at 08:00"),
        ("11/17", "Tuesday 17 Nov at 09:00"),
        ("tuesday this week", "Tuesday 17 Nov at 09:00"),
        ("2026-11-17", "Tuesday 17 Nov at 09:00"),
    ],
)
def test_past_times_are_refused_with_the_time_they_meant(text: str, meant: str) -> None:
    message = refusal(text).message
    assert "already past" in message and meant in message


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("tomorrow at the QBR, ask about the renewal", d(19, 9), "at the QBR, ask about the renewal"),
        ("friday at the offsite, demo the export", d(20, 9), "at the offsite, demo the export"),
        ("tomorrow at least call them", d(19, 9), "at least call them"),
        ("tomorrow in person", d(19, 9), "in person"),
        ("tomorrow on the call, ask about SSO", d(19, 9), "on the call, ask about SSO"),
        ("tomorrow next steps with legal", d(19, 9), "next steps with legal"),
        ("friday at 10am at the office", d(20, 10), "at the office"),
        ("in 3 days later", d(21, 9), "later"),
    ],
)
def test_a_note_after_the_when_may_begin_like_a_time_word(text: str, expected: datetime, note: str) -> None:
    assert read(text)[:2] == (expected, note)


@pytest.mark.parametrize(
    "text",
    [
        "at risk: renewal",
        "on hold until legal signs",
        "in the meantime call them",
        "in 2 places the export fails",
        "in touch with procurement",
        "may need a new contract",
        "march madness promo",
        "2 invoices are missing",
        "the 3pm call went badly",
        "1:1 with their admin",
        "tomorrow's release broke SSO",
        "mondays are busy",
        "the 5th invoice bounced",
        "Noonan asked about SSO",
        "Frida from Acme wants a call",
        "today's outage",
        "Monday.com integration broken",
        "weekly report is late",
        "Decca account needs an admin",
    ],
)
def test_notes_that_are_not_times_stay_whole(text: str) -> None:
    assert split_when(text) == (None, text)


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("call back about the drive tomorrow at 3pm", d(19, 15), "call back about the drive"),
        ("ping Initech in 2 hours", d(18, 12), "ping Initech"),
        ("send the contract by friday", d(20, 9), "send the contract"),
        ("chase the PO on monday", d(23, 9), "chase the PO"),
        ("check the invoice was fixed in 3 days", d(21, 9), "check the invoice was fixed"),
        ("ask about the renewal on Dec 15", d(15, 9, month=12), "ask about the renewal"),
        ("invoice question - tomorrow", d(19, 9), "invoice question"),
    ],
)
def test_a_when_at_the_end_is_read_as_with_remind(text: str, expected: datetime, note: str) -> None:
    assert read(text)[:2] == (expected, note)


@pytest.mark.parametrize(
    "text",
    [
        "check the fix they shipped on monday",
        "review what they sent last friday",
        "they called yesterday, check the logs",
        "the invoice from last friday",
        "ask about the afternoon",
        "ticket 12/3",
        "the renewal is on friday",
    ],
)
def test_a_time_in_the_story_of_the_note_stays_in_the_note(text: str) -> None:
    assert split_when(text) == (None, text)


def test_a_half_understood_time_at_the_end_is_refused() -> None:
    assert "3ish" in refusal("call back tomorrow 3ish").message


def test_a_clock_time_alone_is_its_next_occurrence_and_says_so() -> None:
    got, _note, due = read("at 9am")
    assert got == d(19, 9) and "“at 9am” as tomorrow, as today's has passed" in due.assumptions
    assert read("at 9")[2].assumptions == ("“at 9” as 09:00 tomorrow, as today's has passed",)
    assert at("at 11") == d(18, 11)


def test_the_confirmation_says_the_due_time_in_the_owners_words_and_zone() -> None:
    due = read("Dec 3 at 3")[2]
    assert describe_due(due, now=WED) == "Thursday 3 Dec at 15:00, your time (I read “at 3” as 15:00)"
    assert due.words == "Dec 3 at 3"
    assert describe_due(read("jan 5")[2], now=WED) == "Tuesday 5 Jan 2027 at 09:00, your time"
    default = resolve_due(None, now=WED, tz=BERLIN, week=WEEK)
    assert (default.words, default.assumptions, describe_due(default, now=WED)) == (
        "",
        (),
        "Friday 20 Nov at 09:00, your time",
    )


def test_the_form_field_and_the_command_share_the_parser() -> None:
    when, rest = split_when("at 3")
    assert rest == "" and when is not None
    assert resolve(when, now=WED, tz=BERLIN, week=WEEK).astimezone(BERLIN).time() == time(15)


def test_values_built_by_callers_still_resolve() -> None:
    # The services build these for snoozes and check-ins.
    assert resolve(When(kind="next_week", text="next week"), now=WED, tz=BERLIN, week=WEEK) == datetime(
        2026, 11, 23, 8, 0, tzinfo=UTC
    )
    assert resolve(When(kind="days", amount=3), now=WED, tz=BERLIN, week=WEEK).date() == date(2026, 11, 21)
    assert resolve(When(kind="delay", amount=60), now=WED, tz=BERLIN, week=WEEK) == datetime(
        2026, 11, 18, 10, 0, tzinfo=UTC
    )


def test_wall_clock_times_hold_across_daylight_saving_and_a_missing_hour_lands_after_the_gap() -> None:
    before_spring = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)  # Berlin skips 02:00-03:00 on Sunday 28 March
    assert at("tomorrow at 9", now=before_spring) == d(28, 9, month=3, year=2027)
    assert at("tomorrow at 02:30", now=before_spring) == d(28, 3, 30, month=3, year=2027)
    before_fall = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    assert at("tomorrow at 5pm", now=before_fall) == d(25, 17, month=10)
    assert at("end of week", now=before_fall) == d(30, 17, month=10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("٣pm call", time(15, 0)), ("３pm call", time(15, 0)), ("at ١٥:٠٠ call", time(15, 0))],
)
def test_digits_of_any_script_are_read_as_digits(text: str, expected: time) -> None:
    when, note = split_when(text)
    assert when is not None and when.at == expected and note == "call"


@pytest.mark.parametrize("text", ["every 99999", "every 3 call", "every 2nd tuesday", "every 24/7"])
def test_every_and_a_number_is_refused_as_repeating_never_left_in_the_note(text: str) -> None:
    with pytest.raises(BadWhen, match="Repeating"):
        split_when(text)
