"""The pure rules behind relationship nudges: the quiet DM's week, anniversaries and leap days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.domain.relationships import anniversary_years, quiet_week, relationship_start, since_dates_for

TONGA = ZoneInfo("Pacific/Tongatapu")  # UTC+13 all year
HONOLULU = ZoneInfo("Pacific/Honolulu")  # UTC-10 all year


def test_quiet_week_is_monday_nine_to_friday_night_in_the_owners_zone() -> None:
    # Sunday 20:00 UTC is Monday 09:00 in Tonga but Sunday 10:00 in Honolulu (its week began the Monday before).
    sunday = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    assert quiet_week(sunday, TONGA) == (date(2026, 11, 30), sunday, datetime(2026, 12, 4, 11, 0, tzinfo=UTC))
    monday, start, end = quiet_week(sunday, HONOLULU)
    assert monday == date(2026, 11, 23) and start == datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 28, 10, 0, tzinfo=UTC) < sunday  # the weekend: not due


def test_anniversaries_count_whole_years_and_move_leap_days() -> None:
    assert anniversary_years(date(2023, 11, 30), date(2026, 11, 30)) == 3
    assert anniversary_years(date(2026, 11, 30), date(2026, 11, 30)) == 0
    assert anniversary_years(date(2023, 11, 30), date(2026, 11, 29)) == 0
    assert anniversary_years(date(2024, 2, 29), date(2027, 2, 28)) == 3
    assert anniversary_years(date(2024, 2, 29), date(2028, 2, 28)) == 0
    assert anniversary_years(date(2024, 2, 29), date(2028, 2, 29)) == 4


def test_since_dates_for_a_day() -> None:
    feb28 = since_dates_for(date(2027, 2, 28), max_years=8)
    assert date(2024, 2, 29) in feb28 and date(2023, 2, 28) in feb28 and date(2027, 2, 28) not in feb28
    assert date(2024, 2, 28) in feb28 and date(2020, 2, 29) in feb28
    assert since_dates_for(date(2028, 2, 29), max_years=8) == [date(2020, 2, 29), date(2024, 2, 29)]
    assert date(2024, 2, 29) not in since_dates_for(date(2028, 2, 28), max_years=8)


def test_quiet_counts_from_when_added_or_a_later_since() -> None:
    added = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    assert relationship_start(since=date(2019, 1, 1), created_at=added) == added
    assert relationship_start(since=None, created_at=added) == added
    assert relationship_start(since=date(2026, 10, 1), created_at=added) == datetime(2026, 10, 1, tzinfo=UTC)
